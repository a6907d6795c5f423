module github.com/herdllm/herd/_asm/interleaved

go 1.26.8
