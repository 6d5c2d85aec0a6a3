package awsfake

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// IAM's access key statuses.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// xmlType is the Content-Type of IAM's answers.
const xmlType = "text/xml"

// iamNS is the namespace of IAM's answers.
const iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"

// AccessKey is one access key of a fake IAM user: its id (an identifier,
// never the secret), when it was created, and its status.
type AccessKey struct {
	ID      string
	Created time.Time
	Status  string // StatusActive or StatusInactive
}

type user struct {
	name   string
	keys   []AccessKey
	denied bool
}

// IAM is a fake AWS IAM serving ListAccessKeys. Its fakeapi.Server counts
// requests and queues faults; ActionCalls counts them per action.
type IAM struct {
	*fakeapi.Server
	*signing

	mu    sync.Mutex
	users map[string]*user
}

// NewIAM starts a fake IAM for the test, holding no user, answering pages
// of up to 100 keys at once.
func NewIAM(t testing.TB) *IAM {
	t.Helper()
	f := &IAM{signing: newSigning(t, "iam", 100), users: map[string]*user{}}
	f.Server = fakeapi.New(fakeapi.API{
		Name:        "awsfake IAM",
		ContentType: xmlType,
		Routes:      []fakeapi.Route{{Method: http.MethodPost, Pattern: "/{$}", Handle: f.serve}},
		Authorize:   f.authorize,
		Refuse: func(w http.ResponseWriter, _ *http.Request) {
			writeXMLError(w, http.StatusForbidden, "Sender", "IncompleteSignature", "Authorization header requires a SigV4 Credential, SignedHeaders and Signature.")
		},
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			writeXMLError(w, http.StatusNotFound, "Sender", "InvalidAction", "")
		},
		Error: func(w http.ResponseWriter, status int) {
			code, typ := "ServiceFailure", "Receiver"
			switch {
			case status == http.StatusTooManyRequests:
				code, typ = "Throttling", "Sender"
			case status == http.StatusServiceUnavailable:
				code = "ServiceUnavailable"
			case status < 500:
				code, typ = "InvalidInput", "Sender"
			}
			writeXMLError(w, status, typ, code, http.StatusText(status))
		},
	})
	f.start(t, f.Server, func(_ *http.Request, body []byte) string {
		form, _ := url.ParseQuery(string(body))
		return form.Get("Action")
	})
	return f
}

// AddUser holds a user with its access keys, in the order ListAccessKeys
// lists them. Dates keep whole seconds, as IAM's do.
func (f *IAM) AddUser(name string, keys ...AccessKey) {
	u := &user{name: name}
	for _, k := range keys {
		k.Created = k.Created.Truncate(time.Second)
		u.keys = append(u.keys, k)
	}
	f.mu.Lock()
	f.users[name] = u
	f.mu.Unlock()
}

// Deny answers AccessDenied (403) to every request about the user.
func (f *IAM) Deny(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[name]
	if !ok {
		f.t.Fatalf("awsfake: no user %q", name)
	}
	u.denied = true
}

// ThrottleNext answers the next n requests with Throttling (400), as IAM
// throttles.
func (f *IAM) ThrottleNext(n int) {
	f.Inject(Fault{Route: Route, Status: http.StatusBadRequest, Times: n,
		Body: xmlError("Sender", "Throttling", "Rate exceeded")})
}

func (f *IAM) serve(w http.ResponseWriter, r *fakeapi.Request) {
	form, err := url.ParseQuery(string(r.Body))
	action := form.Get("Action")
	switch {
	case err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
		writeXMLError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", "the body must be a form")
		return
	case action == "CreateAccessKey":
		f.t.Errorf("awsfake IAM: CreateAccessKey returns a secret access key: rotor verify must read metadata only")
		writeXMLError(w, http.StatusForbidden, "Sender", "AccessDenied", "rotor must never create an access key")
		return
	case action != "ListAccessKeys":
		f.t.Errorf("awsfake IAM: %s called: rotor verify calls ListAccessKeys only", action)
		writeXMLError(w, http.StatusForbidden, "Sender", "AccessDenied", action+" is not for rotor verify")
		return
	case form.Get("Version") != "2010-05-08":
		writeXMLError(w, http.StatusBadRequest, "Sender", "InvalidParameterValue", "Version must be 2010-05-08")
		return
	}
	name := form.Get("UserName")
	if name == "" {
		f.t.Errorf("awsfake IAM: ListAccessKeys without UserName lists the caller's own keys")
		writeXMLError(w, http.StatusBadRequest, "Sender", "ValidationError", "UserName is required by this fake")
		return
	}
	maxItems := 0
	if v := form.Get("MaxItems"); v != "" {
		if maxItems, err = strconv.Atoi(v); err != nil || maxItems < 1 || maxItems > 1000 {
			writeXMLError(w, http.StatusBadRequest, "Sender", "ValidationError", "MaxItems must be between 1 and 1000")
			return
		}
	}
	f.mu.Lock()
	u := f.users[name]
	var keys []AccessKey
	denied := false
	if u != nil {
		keys, denied = append(keys, u.keys...), u.denied
	}
	f.mu.Unlock()
	switch {
	case denied:
		writeXMLError(w, http.StatusForbidden, "Sender", "AccessDenied", fmt.Sprintf(
			"User: arn:aws:iam::%s:user/rotor is not authorized to perform: iam:ListAccessKeys on resource: user %s because no identity-based policy allows the iam:ListAccessKeys action", Account, name))
		return
	case u == nil:
		writeXMLError(w, http.StatusNotFound, "Sender", "NoSuchEntity", fmt.Sprintf("The user with name %s cannot be found.", name))
		return
	}
	start := 0
	if m := form.Get("Marker"); m != "" {
		n, ok := decodeToken(m, name)
		if !ok || n > len(keys) {
			writeXMLError(w, http.StatusBadRequest, "Sender", "InvalidInput", "Invalid Marker.")
			return
		}
		start = n
	}
	end := min(start+f.page(maxItems), len(keys))
	res := listAccessKeysResponse{NS: iamNS, RequestID: "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"}
	res.Result.UserName = name
	for _, k := range keys[start:end] {
		res.Result.Keys = append(res.Result.Keys, accessKeyXML{UserName: name, ID: k.ID, Status: k.Status, Created: k.Created.UTC().Format(time.RFC3339Nano)})
	}
	if end < len(keys) {
		res.Result.IsTruncated, res.Result.Marker = true, encodeToken(name, end)
	}
	writeXML(w, http.StatusOK, res)
}

type accessKeyXML struct {
	UserName string `xml:"UserName"`
	ID       string `xml:"AccessKeyId"`
	Status   string `xml:"Status"`
	Created  string `xml:"CreateDate"`
}

type listAccessKeysResponse struct {
	XMLName xml.Name `xml:"ListAccessKeysResponse"`
	NS      string   `xml:"xmlns,attr"`
	Result  struct {
		UserName    string         `xml:"UserName"`
		Keys        []accessKeyXML `xml:"AccessKeyMetadata>member"`
		IsTruncated bool           `xml:"IsTruncated"`
		Marker      string         `xml:"Marker,omitempty"`
	} `xml:"ListAccessKeysResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	NS      string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func xmlError(typ, code, message string) string {
	e := errorResponse{NS: iamNS, RequestID: "4b2e1f6a-8d1c-4c2e-9f7a-1e2d3c4bEXAMPLE"}
	e.Error.Type, e.Error.Code, e.Error.Message = typ, code, message
	b, _ := xml.Marshal(e)
	return xml.Header + string(b)
}

func writeXMLError(w http.ResponseWriter, status int, typ, code, message string) {
	w.Header().Set("Content-Type", xmlType)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xmlError(typ, code, message)))
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", xmlType)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

// Close stops the fake before the test ends.
func (f *IAM) Close() { f.hs.Close() }

// Client returns a client for the fake.
func (f *IAM) Client() *http.Client { return f.hs.Client() }
