package validate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
)

// sourceRegionRule: an AWS Secrets Manager secret named by its ARN is in
// the ARN's region; a region: beside it may only repeat that region. Two
// regions that disagree leave a reader unsure which secret is meant, and
// rotor verify asks the ARN's. Reported under RuleSource.
type sourceRegionRule struct{}

func (sourceRegionRule) name() string { return "source-region" }

func (sourceRegionRule) checkCredential(c *fileChecker, d decoded) {
	src := d.cred.Source
	if src == nil || src.AWSSecretsManager == nil || src.AWSSecretsManager.Region == "" {
		return
	}
	arnRegion, ok := arnRegion(src.AWSSecretsManager.Secret)
	if !ok || arnRegion == src.AWSSecretsManager.Region {
		return
	}
	_, sm := register.MapGet(d.source, "aws_secrets_manager")
	_, n := register.MapGet(sm, "region")
	if n == nil || n.Kind != yaml.ScalarNode {
		return
	}
	c.add(n, register.SeverityError, RuleSource,
		fmt.Sprintf("source.aws_secrets_manager.region %q disagrees with the ARN's region %q", src.AWSSecretsManager.Region, arnRegion),
		"remove region: (an ARN carries its own), or give the ARN of the secret in "+src.AWSSecretsManager.Region)
}

// arnRegion returns the region of an ARN, arn:partition:service:region:….
func arnRegion(s string) (string, bool) {
	parts := strings.SplitN(s, ":", 5)
	if len(parts) < 5 || parts[0] != "arn" {
		return "", false
	}
	return parts[3], true
}
