package chunked

import "testing"

func TestTable(t *testing.T) {
	var tb Table[uint64]
	if tb.At(5) != nil {
		t.Fatal("At of a chunk never ensured is not nil")
	}
	if err := tb.Ensure(chunkLen + 3); err != nil {
		t.Fatal(err)
	}
	*tb.At(chunkLen + 3) = 7
	if *tb.At(chunkLen + 3) != 7 || tb.At(3) != nil {
		t.Fatal("Ensure allocated the wrong chunk")
	}
	if err := tb.Ensure(Capacity); err == nil || tb.At(Capacity) != nil {
		t.Fatal("an index past the capacity was accepted")
	}
}
