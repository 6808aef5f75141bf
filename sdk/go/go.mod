module github.com/hookd/hookd/sdk/go

go 1.19
