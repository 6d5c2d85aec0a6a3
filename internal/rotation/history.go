package rotation

import (
	"errors"
	"strings"
)

// The register's history, as the repository holds it: the types a
// Repository of history answers with (internal/gitrepo implements it,
// internal/history reads it).

// CommitInfo is one commit of the history.
type CommitInfo struct {
	Hash    string   // full hex hash
	Parents []string // first parent first; none for a root commit
	// Author wrote the change; Committer made the commit, which for a merge
	// on the default branch is who merged it. Each When keeps the zone the
	// commit was made in.
	Author, Committer Signature
	Message           string
}

// MergedBy names who put a commit on the default branch: its committer,
// or its author when GitHub committed it (a merge or squash through the
// web, where the author is who merged or wrote it).
func (c CommitInfo) MergedBy() string {
	if c.Committer.Name == "GitHub" || c.Committer.Email == "noreply@github.com" {
		return c.Author.Name
	}
	return c.Committer.Name
}

// TreeFile is one file of a commit's tree.
type TreeFile struct {
	Path string // slash-separated, relative to the repository root
	Hash string // the blob's full hex hash: equal hashes, equal content
}

// FileChange is one file that differs between a commit and its first
// parent. An added file has no OldHash, a removed one no NewHash.
type FileChange struct {
	Path             string // slash-separated, relative to the repository root
	OldHash, NewHash string
}

// FileVersion is one version of a file on the first-parent chain: the
// commit that gave the file this content (the oldest of the run of
// commits that hold it) and the blob, "" where the file is absent.
type FileVersion struct {
	Commit CommitInfo
	Blob   string
}

// ErrTooLarge is matched (errors.Is) by the error of reading a blob
// larger than a register file may be: a version of a file that history
// skips, not a repository it cannot read.
var ErrTooLarge = errors.New("too large for a register file")

// The trailers of a commit made by `rotor record`: history tells a
// recorded rotation from a hand edit by them.
const (
	TrailerCredential = "Rotor-Credential"
	TrailerTicket     = "Rotor-Ticket"
)

// Trailer is the pair of trailers of one recorded rotation.
type Trailer struct {
	Credential string // the credential's id; "" when the message named none
	Ticket     string
}

// FormatTrailers returns the trailer lines of a commit that records the
// rotation of credential id done in ticket, each ending in a newline.
func FormatTrailers(id, ticket string) string {
	return TrailerCredential + ": " + id + "\n" + TrailerTicket + ": " + ticket + "\n"
}

// ParseTrailers finds `rotor record`'s trailers in a commit message. A
// squash merge lists the messages of the commits it squashed, so every
// line counts, not only the final paragraph; a Rotor-Credential line
// pairs with the Rotor-Ticket line that follows it.
func ParseTrailers(msg string) []Trailer {
	var out []Trailer
	credential := ""
	for _, line := range strings.Split(msg, "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(key, TrailerCredential):
			credential = value
		case strings.EqualFold(key, TrailerTicket) && value != "":
			out = append(out, Trailer{Credential: credential, Ticket: value})
			credential = ""
		}
	}
	return out
}

// ShortHashLen is how many hex digits of a commit hash rotor shows: twelve
// stay unique in any repository a register lives in.
const ShortHashLen = 12

// ShortHash is a commit hash as rotor shows it to people.
func ShortHash(hash string) string {
	if len(hash) > ShortHashLen {
		return hash[:ShortHashLen]
	}
	return hash
}
