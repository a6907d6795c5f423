module github.com/herdllm/herd/_asm/floatrows

go 1.26.8
