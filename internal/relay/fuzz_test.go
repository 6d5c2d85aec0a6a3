package relay

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzDecode feeds arbitrary bodies to the decoder and the filter. Nothing
// may panic, and whatever is chosen for forwarding must be a valid payload.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"webhook-issue-updated-done.json", "webhook-issue-updated-in-progress.json", "automation-issue-done.json"} {
		f.Add(fixture(f, name), false)
		f.Add(fixture(f, name), true)
	}
	f.Add([]byte(`{"issue":{"id":1e400,"key":"A1-1","fields":{"labels":["rotor","rotor-a"],"status":{"id":null,"statusCategory":{"key":"done"}}}}}`), true)
	f.Add([]byte(`{"webhookEvent":"jira:issue_updated","timestamp":"9999999999999999999","changelog":{"items":[{"field":"status","to":7}]},"issue":{"key":"AB-1","fields":{"labels":["rotor","rotor-x","rotor-x"],"status":{"statusCategory":{"key":"done"}},"statuscategorychangedate":"9999-12-31T23:59:59.999-2359"}}}`), false)
	f.Add([]byte(`null`), false)
	f.Add([]byte(`{"issue":null}`), true)
	f.Add([]byte("\xff"), false)

	f.Fuzz(func(t *testing.T, body []byte, automation bool) {
		ev, err := decodeEvent(body)
		if err != nil {
			if _, ok := err.(*badRequestError); !ok {
				t.Fatalf("decode error of type %T: %v", err, err)
			}
			return
		}
		from := senderWebhook
		if automation {
			from = senderAutomation
		}
		p, drop, err := decide(ev, from, "delivery-1", receivedAt)
		if err != nil || drop != "" {
			if err != nil && drop != "" {
				t.Fatalf("both a drop reason %q and an error %v", drop, err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("forwarding an invalid payload %+v: %v", p, err)
		}
		if _, err := time.Parse(time.RFC3339, p.DoneAt); err != nil {
			t.Fatalf("done_at %q: %v", p.DoneAt, err)
		}
	})
}

// FuzzSignature checks that only the exact HMAC of the body verifies.
func FuzzSignature(f *testing.F) {
	body := fixture(f, "webhook-issue-updated-done.json")
	f.Add(body, []byte(testSecret), Sign([]byte(testSecret), body))
	f.Add(body, []byte(testSecret), "")
	f.Add(body, []byte(testSecret), "sha256=")
	f.Add([]byte{}, []byte("k"), "SHA256="+string(bytes.Repeat([]byte("0"), 64)))
	f.Add([]byte("x"), []byte(""), "sha256=zz")

	f.Fuzz(func(t *testing.T, body, secret []byte, header string) {
		err := verifySignature(secret, body, header)
		want := Sign(secret, body)
		if err == nil && !bytes.EqualFold([]byte(header), []byte(want)) {
			t.Fatalf("header %q verified, but the signature is %q", header, want)
		}
		if err != nil && header == want {
			t.Fatalf("the right signature failed: %v", err)
		}
		if verifySignature(secret, body, want) != nil {
			t.Fatal("Sign's own output does not verify")
		}
		if err != nil && bytes.Contains([]byte(err.Error()), []byte(want[len(signaturePrefix):])) {
			t.Fatal("the error reveals the expected signature")
		}
	})
}

// FuzzParseEventMatchesEncodingJSON holds the single-pass parser to
// encoding/json: the same bodies are accepted, and they decode to the same
// event.
func FuzzParseEventMatchesEncodingJSON(f *testing.F) {
	for _, name := range []string{"webhook-issue-updated-done.json", "webhook-issue-updated-in-progress.json", "automation-issue-done.json"} {
		f.Add(fixture(f, name))
	}
	for _, s := range []string{
		``, ` `, `null`, `true`, `[]`, `"x"`, `{}`, `{"a":1}x`, `{"a" 1}`, `{,}`, `{"a":1,}`, `[1,]`,
		`{"timestamp":1.5e3}`, `{"timestamp":"12"}`, `{"timestamp":true}`, `{"timestamp":-0}`, `{"timestamp":01}`,
		`{"WEBHOOKEVENT":"jira:issue_updated","webhookEvent":null}`, `{"webhookEvent":5}`,
		`{"issue":{"key":"A"},"issue":{"fields":{"labels":["x"]}}}`, `{"issue":{"key":"A"},"issue":null}`,
		`{"issue":"x"}`, `{"issue":{"fields":null,"id":{}}}`, `{"issue":{"fields":{"labels":"rotor"}}}`,
		`{"issue":{"fields":{"labels":["a","b","c"],"labels":[null,null]}}}`, `{"issue":{"fields":{"labels":["a"],"labels":[]}}}`,
		`{"issue":{"fields":{"labels":[1,"a",null,{}]}}}`,
		`{"changelog":{"items":[{"field":"status"}],"items":[{"fieldId":"x"}]}}`, `{"changelog":{"items":[null,1,{"to":7}]}}`,
		`{"issue":{"fields":{"status":{"statusCategory":{"key":"done"},"statusCategory":null,"id":1e2}}}}`,
		`{"issue":{"key":"\u0041\ud800","fields":{"status":{"name":"\xff"}}}}`, `{"webhook\u0045vent":"x"}`, `{"ſtatus":1}`,
		"{\"a\":\"\t\"}", `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":tru}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `[[[[[]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gotErr := parseEvent(body)
		var want jiraEvent
		wantErr := json.Unmarshal(body, &want)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("body %q: parseEvent error %v, encoding/json error %v", body, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(*got, want) {
			t.Fatalf("body %q:\nparseEvent    %#v\nencoding/json %#v", body, *got, want)
		}
	})
}
