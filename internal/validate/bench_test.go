package validate_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rotor-dev/rotor/internal/register/registertest"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// BenchmarkValidate validates 10,000 credentials, one file each and 100 to
// a file: the register of a large company.
func BenchmarkValidate(b *testing.B) {
	for _, perFile := range []int{1, 100} {
		b.Run(fmt.Sprintf("10000x%d-per-file", perFile), func(b *testing.B) {
			dir := b.TempDir()
			if _, err := registertest.Generate(dir, 10000, perFile); err != nil {
				b.Fatal(err)
			}
			v, err := validate.New()
			if err != nil {
				b.Fatal(err)
			}
			opts := validate.Options{Root: dir, Today: rotation.MustParseDate("2026-11-27")}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := v.Validate(context.Background(), opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Register.Credentials) != 10000 || res.Errors() != 0 {
					b.Fatalf("got %d credentials, %d errors", len(res.Register.Credentials), res.Errors())
				}
			}
		})
	}
}
