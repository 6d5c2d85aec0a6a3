package github_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/github/githubtest"
)

func TestCheckPullRequestAccess(t *testing.T) {
	tests := []struct {
		name          string
		token         string
		setup         func(*githubtest.Server)
		want          github.PullRequestAccess // Repository and Unchecked compared apart
		wantUnchecked []string                 // substrings, one per entry
	}{
		{name: "GITHUB_TOKEN", token: githubtest.Token, setup: func(s *githubtest.Server) { s.SetPermissions(nil) },
			want:          github.PullRequestAccess{Token: github.TokenInstallation, List: github.Yes},
			wantUnchecked: []string{"pull-requests: write", "Allow GitHub Actions to create and approve pull requests", "starts no workflow run"}},
		{name: "classic token with repo", token: "ghp_classic0123456789", setup: func(s *githubtest.Server) { s.SetScopes("repo, workflow") },
			want: github.PullRequestAccess{Token: github.TokenClassic, List: github.Yes, Push: github.Yes, Scope: github.Yes}},
		{name: "classic token without repo", token: "ghp_classic0123456789", setup: func(s *githubtest.Server) { s.SetScopes("read:org") },
			want: github.PullRequestAccess{Token: github.TokenClassic, List: github.Yes, Push: github.Yes, Scope: github.No}},
		{name: "fine-grained token of a reader", token: "github_pat_11fine", setup: func(s *githubtest.Server) { s.SetPermissions(&githubtest.Permissions{Pull: true}) },
			want:          github.PullRequestAccess{Token: github.TokenFineGrained, List: github.Yes, Push: github.No},
			wantUnchecked: []string{"Pull requests: read and write"}},
		{name: "pull requests not readable", token: githubtest.Token, setup: func(s *githubtest.Server) {
			s.Inject(githubtest.Fault{Route: githubtest.RouteListPulls, Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
		}, want: github.PullRequestAccess{Token: github.TokenInstallation, List: github.No, Push: github.Yes},
			wantUnchecked: []string{"", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.NewHandler(githubtest.Owner, githubtest.Repo, tt.token)
			fake.Start(t)
			tt.setup(fake)
			c, _ := newClient(t, fake, func(c *github.Config) { c.Token = tt.token })
			got, err := c.CheckPullRequestAccess(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got.Repository.DefaultBranch != "main" {
				t.Errorf("repository = %+v", got.Repository)
			}
			if len(got.Unchecked) != len(tt.wantUnchecked) {
				t.Fatalf("unchecked = %q, want %d entries", got.Unchecked, len(tt.wantUnchecked))
			}
			for i, w := range tt.wantUnchecked {
				if !strings.Contains(got.Unchecked[i], w) {
					t.Errorf("unchecked[%d] = %q, want %q in it", i, got.Unchecked[i], w)
				}
			}
			got.Repository, got.Unchecked = github.RepoInfo{}, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("access = %+v\nwant %+v", got, tt.want)
			}
			if fake.Writes() != 0 {
				t.Errorf("the check wrote: %v", fake.Calls())
			}
		})
	}
}
