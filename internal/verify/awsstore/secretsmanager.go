package awsstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
)

// Secrets Manager's staging labels rotor reads.
const (
	stageCurrent = "AWSCURRENT"
	stagePending = "AWSPENDING"
)

// SecretsManager checks aws_secrets_manager sources: when the version
// labelled AWSCURRENT was written. It is safe for concurrent use.
type SecretsManager struct {
	s *session

	mu      sync.Mutex
	clients map[string]*secretsmanager.Client // by region
}

var _ verify.Checker = (*SecretsManager)(nil)

// NewSecretsManager returns a checker of Secrets Manager secrets. It
// loads the AWS configuration on its first check.
func NewSecretsManager(opts Options) *SecretsManager {
	return &SecretsManager{s: newSession(opts), clients: map[string]*secretsmanager.Client{}}
}

// Check lists the versions of the secret (ListSecretVersionIds, every
// page, deprecated versions included) and returns when its AWSCURRENT
// version was created.
func (c *SecretsManager) Check(ctx context.Context, src *rotation.Source) (verify.Observation, error) {
	if src == nil || src.AWSSecretsManager == nil {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil, "the source %q is not an aws_secrets_manager one", src.String())
	}
	id := strings.TrimSpace(src.AWSSecretsManager.Secret)
	if id == "" {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil, "aws_secrets_manager names no secret: set secret: to the secret's ARN or name")
	}
	cfg, err := c.s.loadConfig()
	if err != nil {
		return verify.Observation{}, err
	}
	region, err := secretRegion(id, src.AWSSecretsManager.Region, cfg.Region)
	if err != nil {
		return verify.Observation{}, err
	}
	versions, err := listSecretVersions(ctx, c.client(cfg, region), id)
	if err != nil {
		return verify.Observation{}, classify(err, call{
			service:  "Secrets Manager",
			action:   "secretsmanager:ListSecretVersionIds",
			resource: id,
			notFound: fmt.Sprintf("Secrets Manager in %s has no secret %s: check secret: and region: in the source (a name is looked up in the region, an ARN carries its own)", region, id),
		})
	}
	return secretObservation(id, versions)
}

// secretRegion is the region to ask about the secret: an ARN's own, else
// the source's, else the SDK's default (AWS_REGION, the profile's).
func secretRegion(id, sourceRegion, defaultRegion string) (string, error) {
	region := ""
	if arn.IsARN(id) {
		a, err := arn.Parse(id)
		if err != nil {
			return "", verify.Errorf(verify.ReasonConfig, err, "secret: %s is not a valid ARN (%v)", id, err)
		}
		if a.Service != "secretsmanager" {
			return "", verify.Errorf(verify.ReasonConfig, nil, "secret: %s is an ARN of %s, not of a Secrets Manager secret (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)", id, a.Service)
		}
		region = a.Region
	}
	region = cmp.Or(region, strings.TrimSpace(sourceRegion), defaultRegion)
	if region == "" {
		return "", verify.Errorf(verify.ReasonConfig, nil,
			"no AWS region for secret %s: set region: in its source, or AWS_REGION (or give the secret's full ARN)", id)
	}
	if !regionLabel.MatchString(region) {
		return "", verify.Errorf(verify.ReasonConfig, nil, "region %q of secret %s is not an AWS region name (like eu-west-1)", region, id)
	}
	return region, nil
}

// client returns the region's client, made on first use.
func (c *SecretsManager) client(cfg aws.Config, region string) *secretsmanager.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[region]; ok {
		return cl
	}
	cl := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.Region = region
		o.HTTPClient = c.s.http
		o.Retryer = c.s.retryer()
		if e := c.s.opts.SecretsManagerEndpoint; e != "" {
			o.BaseEndpoint = aws.String(e)
		}
	})
	c.clients[region] = cl
	return cl
}

// listSecretVersions reads every page of ListSecretVersionIds.
func listSecretVersions(ctx context.Context, client *secretsmanager.Client, id string) ([]types.SecretVersionsListEntry, error) {
	p := secretsmanager.NewListSecretVersionIdsPaginator(client, &secretsmanager.ListSecretVersionIdsInput{
		SecretId:          aws.String(id),
		IncludeDeprecated: aws.Bool(true), // the audit sees every version kept
		MaxResults:        aws.Int32(100),
	})
	var out []types.SecretVersionsListEntry
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == maxPages {
			return nil, verify.Errorf(verify.ReasonInvalid, nil, "Secrets Manager listed more than %d pages of versions of %s: rotor stopped reading", maxPages, id)
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Versions...)
	}
	return out, nil
}

// secretObservation finds the AWSCURRENT version among the versions
// listed.
func secretObservation(id string, entries []types.SecretVersionsListEntry) (verify.Observation, error) {
	var obs verify.Observation
	var current []verify.Version
	var pending []verify.Version
	for _, e := range entries {
		if e.VersionId == nil || e.CreatedDate == nil {
			continue // nothing to date
		}
		v := verify.Version{ID: *e.VersionId, Created: *e.CreatedDate, Current: slices.Contains(e.VersionStages, stageCurrent)}
		obs.Versions = append(obs.Versions, v)
		switch {
		case v.Current:
			current = append(current, v)
		case slices.Contains(e.VersionStages, stagePending):
			pending = append(pending, v)
		}
	}
	slices.SortStableFunc(obs.Versions, func(a, b verify.Version) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	switch len(current) {
	case 0:
		undated := ""
		for _, e := range entries {
			if slices.Contains(e.VersionStages, stageCurrent) {
				undated = " (the AWSCURRENT version has no creation date)"
			}
		}
		return verify.Observation{}, verify.Errorf(verify.ReasonInvalid, nil,
			"no version of secret %s holds AWSCURRENT%s among the %d Secrets Manager lists: look at its versions in the console", id, undated, len(entries))
	case 1:
	default:
		return verify.Observation{}, verify.Errorf(verify.ReasonInvalid, nil,
			"%d versions of secret %s hold AWSCURRENT (%s, %s): Secrets Manager gives the label to one", len(current), id, verify.ShortID(current[0].ID), verify.ShortID(current[1].ID))
	}
	cur := current[0]
	obs.Changed = cur.Created
	obs.Evidence = fmt.Sprintf("AWSCURRENT version %s created %s", verify.ShortID(cur.ID), verify.Stamp(cur.Created))
	for _, p := range pending {
		if p.Created.After(cur.Created) {
			obs.Warnings = append(obs.Warnings, fmt.Sprintf(
				"version %s created %s is AWSPENDING: a rotation started and has not finished", verify.ShortID(p.ID), verify.Stamp(p.Created)))
		}
	}
	return obs, nil
}
