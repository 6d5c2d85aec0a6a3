//go:build !unix

package register

// openNonBlocking is not needed where there are no FIFOs to block on.
const openNonBlocking = 0
