// Package verify compares the register with the secret stores themselves:
// it asks each credential's store (metadata only, never a secret value) when
// the secret's current version was written, and judges that instant against
// the register's last_changed.
//
// The stores are adapters: each implements Checker for one
// rotation.SourceKind (awsstore, vaultstore, tlsstore, azurestore). This
// package holds what they share: the Observation a store returns, the
// classified StoreError, the verdict rules and the concurrent Run.
package verify
