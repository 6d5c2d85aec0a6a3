package textsafe_test

import (
	"testing"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// What the writers escape is what the schema refuses in a single-line
// field: a value that passed validation prints as it was written.
func TestUnsafeIsWhatSingleLineFieldsRefuse(t *testing.T) {
	for r := rune(0); r <= 0xffff; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // surrogates are not runes of a UTF-8 string
		}
		_, _, refused := rotation.ControlRune(string(r), false)
		if textsafe.Unsafe(r) != refused {
			t.Errorf("U+%04X: textsafe escapes %v, the schema refuses %v", r, textsafe.Unsafe(r), refused)
		}
	}
}
