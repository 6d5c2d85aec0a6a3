package awsfake

import (
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// sdkEnv are the variables of the process environment the AWS SDK reads
// that ClearEnv empties.
var sdkEnv = []string{
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_IAM",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
}

// ClearEnv empties the environment the AWS SDK reads (variables, shared
// config and credentials files, the instance metadata service), so that
// the machine's AWS settings do not reach a test. It sets the process
// environment: a test that calls it cannot run in parallel.
func ClearEnv(t testing.TB) {
	t.Helper()
	for _, k := range sdkEnv {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

// UseEnv is ClearEnv, then the environment of code that builds its clients
// from the SDK's default chain (rotor's commands): the endpoints given
// ("" for none), the fakes' static credentials, and region.
func UseEnv(t testing.TB, region, secretsManagerURL, iamURL string) {
	t.Helper()
	ClearEnv(t)
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretAccessKey)
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsManagerURL)
	t.Setenv("AWS_ENDPOINT_URL_IAM", iamURL)
}

// LoadOptions are the SDK configuration of a client built in a test: the
// fakes' static credentials, region ("" for none), and no shared files,
// whatever the machine has.
func LoadOptions(region string) []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	}
}
