package main

import (
	"context"
	"net"
	"time"
)

// dialer connects every request to target (the proxy under test on loopback).
func dialer(target string) func(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, target)
	}
}
