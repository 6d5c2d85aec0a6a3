// Package github is rotor's GitHub adapter: it implements rotation.CodeHost
// (the register repository's default branch and rotor's pull requests),
// tells `rotor doctor` what the token may do, sends the relay's
// repository_dispatch events, and owns the contract of those events: the
// event type, the payload and its validation, and the decoder of the event
// file a workflow run finds at $GITHUB_EVENT_PATH.
//
// The pull request calls go through go-github (v60) behind the small api
// interface of this package; the dispatch is one plain POST whose every
// status matters (only 204 is success) and that must not share
// go-github's client-wide rate-limit state between unrelated deliveries.
// Both use one http.Client built here:
//
//   - the API root must be https, or http on a loopback host (tests);
//   - no redirect is followed, and the token is only ever attached to
//     requests for the API host, so it never reaches another host;
//   - transient failures are retried by httpretry with GitHub's rate-limit
//     rules; a request that may not be repeated (none here is: creating a
//     pull request twice is refused by GitHub, see CreatePullRequest) is
//     marked so;
//   - an answer whose shape is not what the endpoint returns, or whose
//     status is not the endpoint's (go-github takes any 2xx), is an error
//     (ErrUnexpectedAnswer), never an empty result; errors say what GitHub
//     answered and what to fix, and show no URL's user, query or fragment;
//     the checks of the settings (ParseAPIURL, SplitRepository, CheckToken)
//     repeat no part of what they refuse, so that the caller names the
//     setting with setting.Invalid.
package github
