module github.com/herdllm/herd/_asm/legacy

go 1.26.8
