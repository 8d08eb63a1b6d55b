//go:build tools

// Package tools pins the Temporal CLI (dev server with its embedded Web UI).
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
