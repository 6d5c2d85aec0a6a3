package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxEventBytes bounds the event file rotor reads. GitHub's
// repository_dispatch events are a few kilobytes (the payload itself is
// at most 65,535 characters).
const MaxEventBytes = 1 << 20

// DispatchEvent is the part of a repository_dispatch event file
// ($GITHUB_EVENT_PATH) that rotor uses.
type DispatchEvent struct {
	Action     string // the event type that was sent: DispatchEventType
	Branch     string // the default branch the workflow runs on
	Repository string // full_name, "owner/name"; "" when the file names none
	Sender     string // login of who sent the dispatch; "" when the file names none
	Payload    DispatchPayload
}

// ReadDispatchEvent reads and decodes the event file at path (a regular
// file of at most MaxEventBytes), as DecodeDispatchEvent does.
func ReadDispatchEvent(path string) (DispatchEvent, error) {
	f, err := os.Open(path)
	if err != nil {
		return DispatchEvent{}, fmt.Errorf("read the event file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return DispatchEvent{}, fmt.Errorf("read the event file %s: %w", path, err)
	} else if !fi.Mode().IsRegular() {
		return DispatchEvent{}, fmt.Errorf("read the event file %s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxEventBytes+1))
	if err != nil {
		return DispatchEvent{}, fmt.Errorf("read the event file %s: %w", path, err)
	}
	ev, err := DecodeDispatchEvent(data)
	if err != nil {
		return DispatchEvent{}, fmt.Errorf("event file %s: %w", path, err)
	}
	return ev, nil
}

// DecodeDispatchEvent decodes the JSON of a repository_dispatch event and
// checks it strictly: at most MaxEventBytes, one JSON object, "action"
// equal to DispatchEventType, and a "client_payload" object with exactly
// the four string keys of DispatchPayload, each once, whose values pass
// Validate. The event's other members (installation, organization, ...)
// are ignored.
func DecodeDispatchEvent(data []byte) (DispatchEvent, error) {
	if len(data) > MaxEventBytes {
		return DispatchEvent{}, fmt.Errorf("the event is larger than %d bytes: not a repository_dispatch event", MaxEventBytes)
	}
	var raw struct {
		Action        *string         `json:"action"`
		Branch        string          `json:"branch"`
		ClientPayload json.RawMessage `json:"client_payload"`
		Repository    *struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
		Sender *struct {
			Login string `json:"login"`
		} `json:"sender"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return DispatchEvent{}, fmt.Errorf("the event is not a JSON object of a repository_dispatch event: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return DispatchEvent{}, errors.New("the event has more after its JSON object")
	}
	if raw.Action == nil {
		return DispatchEvent{}, errors.New(`the event has no "action": it is not a repository_dispatch event`)
	}
	if *raw.Action != DispatchEventType {
		return DispatchEvent{}, fmt.Errorf("the event's action is %s, not %q: the workflow should listen only for %s (on: repository_dispatch: types: [%s])",
			quote(*raw.Action), DispatchEventType, DispatchEventType, DispatchEventType)
	}
	p, err := decodePayload(raw.ClientPayload)
	if err != nil {
		return DispatchEvent{}, fmt.Errorf("client_payload: %w", err)
	}
	ev := DispatchEvent{Action: *raw.Action, Branch: raw.Branch, Payload: p}
	if raw.Repository != nil {
		ev.Repository = raw.Repository.FullName
	}
	if raw.Sender != nil {
		ev.Sender = raw.Sender.Login
	}
	return ev, nil
}

// decodePayload reads client_payload: an object of exactly the four
// string members, each once.
func decodePayload(data json.RawMessage) (DispatchPayload, error) {
	if len(data) == 0 {
		return DispatchPayload{}, errors.New("missing: the event carries no payload")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return DispatchPayload{}, errors.New("not a JSON object")
	}
	var p DispatchPayload
	fields := map[string]*string{
		"issue_key":     &p.IssueKey,
		"credential_id": &p.CredentialID,
		"done_at":       &p.DoneAt,
		"delivery_id":   &p.DeliveryID,
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return DispatchPayload{}, err
		}
		key, _ := t.(string)
		dst, known := fields[key]
		switch {
		case !known:
			return DispatchPayload{}, fmt.Errorf("unknown member %s: the payload has only issue_key, credential_id, done_at and delivery_id", quote(key))
		case seen[key]:
			return DispatchPayload{}, fmt.Errorf("%s appears twice", key)
		}
		seen[key] = true
		v, err := dec.Token()
		if err != nil {
			return DispatchPayload{}, err
		}
		s, ok := v.(string)
		if !ok {
			if d, isDelim := v.(json.Delim); isDelim {
				return DispatchPayload{}, fmt.Errorf("%s is %s, not a string", key, kindOf(d))
			}
			return DispatchPayload{}, fmt.Errorf("%s is %v, not a string", key, v)
		}
		*dst = s
	}
	for _, k := range []string{"issue_key", "credential_id", "done_at", "delivery_id"} {
		if !seen[k] {
			return DispatchPayload{}, fmt.Errorf("%s is missing", k)
		}
	}
	if err := p.Validate(); err != nil {
		return DispatchPayload{}, err
	}
	return p, nil
}

func kindOf(d json.Delim) string {
	if d == '[' {
		return "an array"
	}
	return "an object"
}
