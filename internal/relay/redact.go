package relay

import (
	"io"

	"github.com/rotor-dev/rotor/internal/setting"
)

// Every text the relay prints (its configuration errors, its log lines,
// the answers it sends) shows URLs as setting.RedactURLs does: without
// what may be a credential in them, the user and password, the query and
// the fragment. A *url.Error names its URL, a proxy's error may name the
// proxy's, and the API URL is a setting someone may paste a token into.

// redactingWriter redacts the URLs in each message before it writes it:
// the http.Server's own error log goes through it.
type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, setting.RedactURLs(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
