# hookbench. `make run` and `make test` work on a fresh machine with Go.
GO      ?= go
BIN     := bin/hookbench
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test bench lint fmt clean

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/hookbench

run: build
	./$(BIN) run compare

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./bench/ ./targets/...

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

fmt:
	gofmt -w .

clean:
	rm -rf bin hookbench-out
