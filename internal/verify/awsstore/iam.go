package awsstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
)

// iamRegion signs IAM's requests when the configuration names no region:
// IAM is global, served from us-east-1 in the aws partition. A region in
// the configuration (AWS_REGION, the profile's) picks the partition of
// another (aws-cn, aws-us-gov).
const iamRegion = "us-east-1"

// IAM checks aws_iam_access_key sources: when the user's active access
// key was created. It is safe for concurrent use.
type IAM struct {
	s *session

	mu     sync.Mutex
	client *iam.Client
}

var _ verify.Checker = (*IAM)(nil)

// NewIAM returns a checker of IAM users' access keys. It loads the AWS
// configuration on its first check.
func NewIAM(opts Options) *IAM { return &IAM{s: newSession(opts)} }

// Check lists the user's access keys (ListAccessKeys, every page): the
// metadata of each key, never its secret. The active key's creation is
// the change; two active keys are a rotation left half done.
func (c *IAM) Check(ctx context.Context, src *rotation.Source) (verify.Observation, error) {
	if src == nil || src.AWSIAMAccessKey == nil {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil, "the source %q is not an aws_iam_access_key one", src.String())
	}
	user := strings.TrimSpace(src.AWSIAMAccessKey.User)
	if user == "" {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil, "aws_iam_access_key names no user: set user: to the IAM user's name")
	}
	cl, err := c.iamClient()
	if err != nil {
		return verify.Observation{}, err
	}
	keys, err := listAccessKeys(ctx, cl, user)
	if err != nil {
		return verify.Observation{}, classify(err, call{
			service:  "IAM",
			action:   "iam:ListAccessKeys",
			resource: "user " + user,
			notFound: fmt.Sprintf("IAM has no user %s: check user: in the source (the user's name, not its ARN)", user),
		})
	}
	return keyObservation(user, strings.TrimSpace(src.AWSIAMAccessKey.AccessKeyID), keys)
}

// iamClient returns the one IAM client, made on first use.
func (c *IAM) iamClient() (*iam.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return c.client, nil
	}
	cfg, err := c.s.loadConfig()
	if err != nil {
		return nil, err
	}
	c.client = iam.NewFromConfig(cfg, func(o *iam.Options) {
		o.Region = cmp.Or(cfg.Region, iamRegion)
		o.HTTPClient = c.s.http
		o.Retryer = c.s.retryer()
		if e := c.s.opts.IAMEndpoint; e != "" {
			o.BaseEndpoint = aws.String(e)
		}
	})
	return c.client, nil
}

// accessKey is the metadata of one key: never its secret.
type accessKey struct {
	id      string
	created time.Time
	status  types.StatusType
}

// listAccessKeys reads every page of ListAccessKeys.
func listAccessKeys(ctx context.Context, client *iam.Client, user string) ([]accessKey, error) {
	p := iam.NewListAccessKeysPaginator(client, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	var out []accessKey
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == maxPages {
			return nil, verify.Errorf(verify.ReasonInvalid, nil, "IAM listed more than %d pages of access keys of user %s: rotor stopped reading", maxPages, user)
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.AccessKeyMetadata {
			if m.AccessKeyId == nil || m.CreateDate == nil {
				continue // nothing to date
			}
			out = append(out, accessKey{id: *m.AccessKeyId, created: *m.CreateDate, status: m.Status})
		}
	}
	return out, nil
}

// keyObservation judges the user's keys: one active key (the tracked one,
// when the source names it) is the answer; none, two, or a tracked key
// that is not the active one is a finding.
func keyObservation(user, tracked string, keys []accessKey) (verify.Observation, error) {
	var active []accessKey
	for _, k := range keys {
		if k.status == types.StatusTypeActive {
			active = append(active, k)
		}
	}
	slices.SortStableFunc(active, func(a, b accessKey) int {
		return cmp.Or(a.created.Compare(b.created), strings.Compare(a.id, b.id))
	})
	if len(active) >= 2 {
		old := active[0]
		return verify.Observation{}, verify.Errorf(verify.ReasonAmbiguous, nil,
			"two active access keys: a rotation left half done; deactivate the old key %s (created %s) once nothing uses it, so that user %s keeps only %s",
			old.id, verify.Stamp(old.created), user, active[len(active)-1].id)
	}
	if tracked != "" {
		i := slices.IndexFunc(keys, func(k accessKey) bool { return k.id == tracked })
		switch {
		case i < 0:
			return verify.Observation{}, verify.Errorf(verify.ReasonNotFound, nil,
				"user %s has no access key %s (%s): set access_key_id in the source to the key in use", user, tracked, activeNote(active))
		case keys[i].status != types.StatusTypeActive:
			return verify.Observation{}, verify.Errorf(verify.ReasonDeleted, nil,
				"access key %s of user %s is %s (%s): set access_key_id in the source to the key in use", tracked, user, keys[i].status, activeNote(active))
		}
	}
	if len(active) == 0 {
		return verify.Observation{}, verify.Errorf(verify.ReasonNotFound, nil,
			"user %s has no active access key (%d inactive): activate or create the key the credential is, or take the source out of the register", user, len(keys))
	}
	k := active[0]
	return verify.Observation{
		Changed:  k.created,
		Evidence: fmt.Sprintf("active access key %s of IAM user %s created %s", k.id, user, verify.Stamp(k.created)),
	}, nil
}

// activeNote says which key is active, for a finding about another.
func activeNote(active []accessKey) string {
	if len(active) == 0 {
		return "it has no active key"
	}
	return fmt.Sprintf("its active key is %s, created %s", active[0].id, verify.Stamp(active[0].created))
}
