package awsfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// Secrets Manager's staging labels.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

// Account is the account id in the ARNs the fakes write.
const Account = "123456789012"

// jsonType is the Content-Type of AWS JSON 1.1, asked and answered.
const jsonType = "application/x-amz-json-1.1"

// SecretVersion is one version of a fake secret: its id, when it was
// written, and its staging labels (none: a deprecated version).
type SecretVersion struct {
	ID      string
	Created time.Time
	Stages  []string
}

type secret struct {
	name, arn string
	versions  []SecretVersion
	denied    bool
	deleted   bool
}

// SecretsManager is a fake AWS Secrets Manager. Its fakeapi.Server counts
// requests and queues faults; ActionCalls counts them per action.
type SecretsManager struct {
	*fakeapi.Server
	*signing

	mu      sync.Mutex
	secrets map[string]*secret // by name and by ARN
	region  string
}

// NewSecretsManager starts a fake Secrets Manager for the test, holding
// no secret, answering pages of up to 100 versions at once, with ARNs in
// region us-east-1.
func NewSecretsManager(t testing.TB) *SecretsManager {
	t.Helper()
	f := &SecretsManager{signing: newSigning(t, "secretsmanager", 100), secrets: map[string]*secret{}, region: "us-east-1"}
	f.Server = fakeapi.New(fakeapi.API{
		Name:        "awsfake Secrets Manager",
		ContentType: jsonType,
		Routes:      []fakeapi.Route{{Method: http.MethodPost, Pattern: "/{$}", Handle: f.serve}},
		Authorize:   f.authorize,
		Refuse: func(w http.ResponseWriter, _ *http.Request) {
			writeJSONError(w, http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires a SigV4 Credential, SignedHeaders and Signature.")
		},
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			writeJSONError(w, http.StatusNotFound, "UnknownOperationException", "")
		},
		Error: func(w http.ResponseWriter, status int) {
			writeJSONError(w, status, jsonErrorType(status), http.StatusText(status))
		},
	})
	f.start(t, f.Server, func(r *http.Request, _ []byte) string {
		return strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	})
	return f
}

func jsonErrorType(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "ThrottlingException"
	case http.StatusInternalServerError:
		return "InternalServiceError"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

func writeJSONError(w http.ResponseWriter, status int, typ, message string) {
	fakeapi.WriteJSON(w, status, jsonType, map[string]string{"__type": typ, "message": message})
}

// SetRegion sets the region in the ARNs of the secrets added after it.
func (f *SecretsManager) SetRegion(region string) { f.mu.Lock(); f.region = region; f.mu.Unlock() }

// ARN returns the ARN the fake gives a secret of that name: Secrets
// Manager adds a dash and six random characters to the name.
func (f *SecretsManager) ARN(name string) string {
	suffix := base64.RawURLEncoding.EncodeToString([]byte(name + "......"))[:6]
	f.mu.Lock()
	region := f.region
	f.mu.Unlock()
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", region, Account, name, suffix)
}

// AddSecret holds a secret with versions (in the order ListSecretVersionIds
// lists them) and returns its ARN. Dates keep milliseconds, as Secrets
// Manager's do.
func (f *SecretsManager) AddSecret(name string, versions ...SecretVersion) string {
	s := &secret{name: name, arn: f.ARN(name)}
	for _, v := range versions {
		v.Created = v.Created.Truncate(time.Millisecond)
		s.versions = append(s.versions, v)
	}
	f.mu.Lock()
	f.secrets[name], f.secrets[s.arn] = s, s
	f.mu.Unlock()
	return s.arn
}

// Deny answers AccessDeniedException to every request about the secret.
func (f *SecretsManager) Deny(name string) { f.set(name, func(s *secret) { s.denied = true }) }

// MarkDeleted schedules the secret for deletion: requests about it are
// refused with InvalidRequestException, as Secrets Manager refuses them.
func (f *SecretsManager) MarkDeleted(name string) { f.set(name, func(s *secret) { s.deleted = true }) }

func (f *SecretsManager) set(name string, change func(*secret)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.secrets[name]
	if !ok {
		f.t.Fatalf("awsfake: no secret %q", name)
	}
	change(s)
}

// ThrottleNext answers the next n requests with ThrottlingException (400),
// as Secrets Manager throttles.
func (f *SecretsManager) ThrottleNext(n int) {
	f.Inject(Fault{Route: Route, Status: http.StatusBadRequest, Times: n,
		Body: `{"__type":"ThrottlingException","message":"Rate exceeded"}`})
}

// find looks a secret up by name, full ARN, or partial ARN (without the
// six-character suffix).
func (f *SecretsManager) find(id string) *secret {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.secrets[id]; ok {
		return s
	}
	for _, s := range f.secrets {
		if strings.HasPrefix(s.arn, id+"-") && len(s.arn) == len(id)+7 {
			return s
		}
	}
	return nil
}

// readsValue are the actions that return a secret's value.
var readsValue = map[string]bool{"GetSecretValue": true, "BatchGetSecretValue": true}

func (f *SecretsManager) serve(w http.ResponseWriter, r *fakeapi.Request) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	switch {
	case !ok:
		writeJSONError(w, http.StatusBadRequest, "UnknownOperationException", "")
		f.t.Errorf("awsfake Secrets Manager: a request without X-Amz-Target secretsmanager.<Action>: %q", r.Header.Get("X-Amz-Target"))
		return
	case readsValue[action]:
		f.t.Errorf("awsfake Secrets Manager: %s reads a secret value: rotor verify must read metadata only", action)
		writeJSONError(w, http.StatusBadRequest, "AccessDeniedException", "rotor must never read a secret value")
		return
	case action != "ListSecretVersionIds":
		f.t.Errorf("awsfake Secrets Manager: %s called: rotor verify calls ListSecretVersionIds only", action)
		writeJSONError(w, http.StatusBadRequest, "AccessDeniedException", action+" is not for rotor verify")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != jsonType {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "Content-Type must be "+jsonType)
		return
	}
	var in struct {
		SecretId          string
		IncludeDeprecated bool
		MaxResults        int
		NextToken         string
	}
	if err := json.Unmarshal(r.Body, &in); err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if in.SecretId == "" {
		writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", "SecretId is required.")
		return
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", "MaxResults must be between 1 and 100.")
		return
	}
	s := f.find(in.SecretId)
	switch {
	case s == nil:
		writeJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	case s.denied:
		writeJSONError(w, http.StatusBadRequest, "AccessDeniedException", fmt.Sprintf(
			"User: arn:aws:iam::%s:user/rotor is not authorized to perform: secretsmanager:ListSecretVersionIds on resource: %s because no identity-based policy allows the secretsmanager:ListSecretVersionIds action", Account, in.SecretId))
		return
	case s.deleted:
		writeJSONError(w, http.StatusBadRequest, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
		return
	}
	var listed []SecretVersion
	f.mu.Lock()
	for _, v := range s.versions {
		if len(v.Stages) > 0 || in.IncludeDeprecated {
			listed = append(listed, v)
		}
	}
	f.mu.Unlock()

	start := 0
	if in.NextToken != "" {
		n, ok := decodeToken(in.NextToken, s.name)
		if !ok || n > len(listed) {
			writeJSONError(w, http.StatusBadRequest, "InvalidNextTokenException", "The NextToken value is invalid.")
			return
		}
		start = n
	}
	end := min(start+f.page(in.MaxResults), len(listed))
	out := map[string]any{"ARN": s.arn, "Name": s.name}
	entries := make([]map[string]any, 0, end-start)
	for _, v := range listed[start:end] {
		e := map[string]any{
			"VersionId":   v.ID,
			"CreatedDate": epochSeconds(v.Created),
			"KmsKeyIds":   []string{"DefaultEncryptionKey"},
		}
		if len(v.Stages) > 0 {
			e["VersionStages"] = v.Stages
		}
		entries = append(entries, e)
	}
	out["Versions"] = entries
	if end < len(listed) {
		out["NextToken"] = encodeToken(s.name, end)
	}
	fakeapi.WriteJSON(w, http.StatusOK, jsonType, out)
}

// epochSeconds writes t as Secrets Manager does: seconds since the epoch
// with the milliseconds as a fraction, in E notation (1.523477145713E9).
func epochSeconds(t time.Time) json.Number {
	ms := t.UnixMilli()
	s := strconv.FormatInt(ms/1000, 10) + "." + fmt.Sprintf("%03d", ms%1000)
	f, _ := strconv.ParseFloat(s, 64)
	return json.Number(strings.ToUpper(strconv.FormatFloat(f, 'E', -1, 64)))
}

func encodeToken(name string, offset int) string {
	return base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "\x00" + name))
}

func decodeToken(token, name string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	n, rest, ok := strings.Cut(string(b), "\x00")
	if !ok || rest != name {
		return 0, false
	}
	off, err := strconv.Atoi(n)
	return off, err == nil && off > 0
}

// Close stops the fake before the test ends.
func (f *SecretsManager) Close() { f.hs.Close() }

// Client returns a client for the fake.
func (f *SecretsManager) Client() *http.Client { return f.hs.Client() }
