//go:build !unix

package register

func mkfifo(string) error { return nil }
