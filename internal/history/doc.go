// Package history reads the register's past out of git for rotor report,
// rotor audit and rotor dashboard: the register as it was at an instant,
// the rotations of a span of days, and every commit of a period with the
// register files it changed, as report.Compute and audit.Compute take
// them. It is a use case like reconcile: it talks to git only through
// Repository, and to the YAML only through a Parser, so its rules are
// tested without either.
//
// Each distinct version of a file is parsed once (versions are keyed by
// blob hash). A version that cannot be read (too large, binary, not
// UTF-8, not a register file) never rewrites the evidence: the file counts
// as its last readable version, and the version is reported as a gap.
// Nothing the leak guard flags in any version read is handed out: the
// Parser takes it out of each version, and RedactAcross out of every
// other.
package history
