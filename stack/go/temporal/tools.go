//go:build tools

// Package tools pins the Temporal CLI (dev server with its embedded Web UI) and,
// for the production topology, the Temporal server, its SQL schema tool and the
// standalone Web UI server, at the versions the CLI itself is built from.
package tools

import (
	_ "github.com/temporalio/cli/cmd/temporal"
	_ "github.com/temporalio/ui-server/v2/cmd/server"
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
