//go:build tools

// Package tools pins kwok (simulated nodes and pods) and kwokctl.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwokctl"
)
