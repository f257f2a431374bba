package base

// Version stands for the constant the generator writes into each client's
// doc.go: the API version the client is pinned to. This file is not
// copied into clients.
const Version = "2025-01-01"
