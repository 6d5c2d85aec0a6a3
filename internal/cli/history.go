package cli

import (
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/history"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// history returns the reader of the register's history in dir of repo,
// parsing each version with the validator: the day it is checked on does
// not matter for reading the values (the rules that use it only add
// findings, which history does not report).
func (f *factory) history(repo *gitrepo.Repo, dir string, settings rotation.Settings) (*history.Reader, error) {
	v, err := f.validator()
	if err != nil {
		return nil, err
	}
	farDay := rotation.Date{Year: 9999, Month: time.December, Day: 31}
	parse := func(path string, data []byte) ([]*rotation.Credential, []register.Finding, []string) {
		return v.ValidateFileSecrets(path, data, settings, farDay)
	}
	return history.New(gitHistory{repo}, dir, settings, parse), nil
}

// gitHistory is a repository as history reads it.
type gitHistory struct{ *gitrepo.Repo }

func (g gitHistory) WalkMerges(base string) (history.MergeWalker, error) {
	return g.Repo.WalkMerges(base)
}
