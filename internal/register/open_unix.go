//go:build unix

package register

import "syscall"

// openNonBlocking keeps open(2) from waiting for a writer on a FIFO.
const openNonBlocking = syscall.O_NONBLOCK
