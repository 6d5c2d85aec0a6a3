package validate

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
)

// sourceEndpointRule: a TLS source's endpoint host is a DNS name, an IPv4
// address, or an IPv6 address in brackets; its server_name, sent in SNI,
// is a name and not an address. The schema's pattern checks the shape
// (labels, digits, brackets, the port's range); this rule checks what a
// pattern cannot read well: that digits and dots make an IPv4 address
// (192.0.2.300 does not) and that brackets hold an IPv6 one. Reported
// under RuleSource.
type sourceEndpointRule struct{}

func (sourceEndpointRule) name() string { return "source-endpoint" }

func (sourceEndpointRule) checkCredential(c *fileChecker, d decoded) {
	src := d.cred.Source
	if src == nil || src.TLS == nil {
		return
	}
	_, tls := register.MapGet(d.source, "tls")
	if problem, hint := endpointProblem(src.TLS.Endpoint); problem != "" {
		if _, n := register.MapGet(tls, "endpoint"); n != nil && n.Kind == yaml.ScalarNode {
			c.add(n, register.SeverityError, RuleSource, "source.tls.endpoint: "+problem, hint)
		}
	}
	if name := src.TLS.ServerName; name != "" {
		if _, err := netip.ParseAddr(name); err == nil {
			if _, n := register.MapGet(tls, "server_name"); n != nil && n.Kind == yaml.ScalarNode {
				c.add(n, register.SeverityError, RuleSource,
					fmt.Sprintf("source.tls.server_name %q is an IP address: SNI carries a DNS name", name),
					"give the name the certificate is for, or remove server_name to check the certificate against the endpoint")
			}
		}
	}
}

// endpointProblem says what is wrong with the host of host:port, an
// endpoint the schema let through; "" when nothing is.
func endpointProblem(endpoint string) (problem, hint string) {
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return fmt.Sprintf("%q is not a host:port", endpoint), sourceFieldForms["tls/endpoint"].hint
	}
	if strings.HasPrefix(endpoint, "[") {
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() || a.Zone() != "" {
			return fmt.Sprintf("host [%s] is not an IPv6 address", host),
				"brackets hold an IPv6 address such as [2001:db8::1]; write an IPv4 address or a name without them, e.g. 192.0.2.10:" + port
		}
		return "", ""
	}
	if strings.Trim(host, "0123456789.") == "" {
		if a, err := netip.ParseAddr(host); err != nil || !a.Is4() {
			return fmt.Sprintf("host %q is not an IPv4 address", host),
				"an IPv4 address has four numbers from 0 to 255, e.g. 192.0.2.10:" + port + "; a host name has a letter in it"
		}
	}
	return "", ""
}
