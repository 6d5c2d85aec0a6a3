package jira_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rotor-dev/rotor/internal/jira"
)

// scriptedSearch answers POST /rest/api/3/search/jql with the page stored
// under the request's nextPageToken ("" for the first page).
type scriptedSearch struct {
	mu    sync.Mutex
	pages map[string]string
	calls int
}

func (s *scriptedSearch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NextPageToken string `json:"nextPageToken"`
	}
	if r.Method != http.MethodPost || r.URL.Path != "/rest/api/3/search/jql" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, `{"errorMessages":["unexpected request"],"errors":{}}`, http.StatusNotFound)
		return
	}
	s.mu.Lock()
	s.calls++
	page, ok := s.pages[body.NextPageToken]
	s.mu.Unlock()
	if !ok {
		http.Error(w, `{"errorMessages":["The provided next page token is invalid or expired."],"errors":{}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, page)
}

func (s *scriptedSearch) Calls() int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls }

func issueJSON(n int) string {
	return fmt.Sprintf(`{"id":"%d","key":"SEC-%d","fields":{"summary":"Rotate c%d","labels":["rotor","rotor-c%d"],"status":{"name":"To Do","statusCategory":{"key":"new"}}}}`, 10000+n, n, n, n)
}

func TestOpenTicketsPaging(t *testing.T) {
	tests := []struct {
		name      string
		pages     map[string]string
		wantKeys  string
		wantCalls int
		wantErr   string
	}{
		{
			name: "isLast ends the search even with a token",
			pages: map[string]string{
				"":  `{"issues":[` + issueJSON(1) + `],"nextPageToken":"A","isLast":false}`,
				"A": `{"issues":[` + issueJSON(2) + `],"nextPageToken":"B","isLast":true}`,
			},
			wantKeys:  "SEC-1 SEC-2",
			wantCalls: 2,
		},
		{
			name: "a null token ends the search",
			pages: map[string]string{
				"":  `{"issues":[` + issueJSON(1) + `],"nextPageToken":"A","isLast":false}`,
				"A": `{"issues":[` + issueJSON(2) + `],"nextPageToken":null}`,
			},
			wantKeys:  "SEC-1 SEC-2",
			wantCalls: 2,
		},
		{
			name: "a page repeating its own token is an error",
			pages: map[string]string{
				"":  `{"issues":[` + issueJSON(1) + `],"nextPageToken":"A","isLast":false}`,
				"A": `{"issues":[` + issueJSON(2) + `],"nextPageToken":"A","isLast":false}`,
			},
			wantCalls: 2,
			wantErr:   "page 2 repeats the nextPageToken of an earlier page",
		},
		{
			name: "tokens that cycle are an error, not an endless loop",
			pages: map[string]string{
				"":  `{"issues":[` + issueJSON(1) + `],"nextPageToken":"A","isLast":false}`,
				"A": `{"issues":[` + issueJSON(2) + `],"nextPageToken":"B","isLast":false}`,
				"B": `{"issues":[` + issueJSON(3) + `],"nextPageToken":"A","isLast":false}`,
			},
			wantCalls: 3,
			wantErr:   "page 3 repeats the nextPageToken of an earlier page",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scriptedSearch{pages: tt.pages}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c, err := jira.New(jira.Config{URL: srv.URL, Email: "bot@example.com", Token: "t", Project: "SEC", HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.OpenTickets(context.Background())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("OpenTickets: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantErr != "" && got != nil {
				t.Errorf("an incomplete search returned %d tickets", len(got))
			}
			var keys []string
			for _, tk := range got {
				keys = append(keys, tk.Key)
			}
			if k := strings.Join(keys, " "); k != tt.wantKeys {
				t.Errorf("keys = %q, want %q", k, tt.wantKeys)
			}
			if s.Calls() != tt.wantCalls {
				t.Errorf("%d searches, want %d", s.Calls(), tt.wantCalls)
			}
		})
	}
}
