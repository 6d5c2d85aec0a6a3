// Command extract-openapi writes the part of Atlassian's OpenAPI
// description of Jira Cloud that rotor's fake Jira serves, so that the
// test holding the fake to the description runs in every clone:
//
//	go run ./scripts/extract-openapi
//
// It reads jira-cloud-platform-v3.openapi.json (from -in, else
// $ROTOR_JIRA_OPENAPI, else shared/reference/ in the working directory or
// a directory above it: the repository is checked out next to shared/)
// and writes internal/jira/testdata/openapi/jira-subset.json (-out). The
// subset holds the operations of jiratest.Routes(), copied verbatim, and
// every component they reference ($ref closure, security schemes by
// name), copied verbatim; nothing else. Its info is the source's (title,
// version) plus x-rotor-subset: the source file, its SHA-256, the
// operations and this command. The output is stable: keys sorted,
// two-space indentation, so a rerun on the same description writes the
// same bytes.
//
// With -check it writes nothing and exits 1 when the committed subset
// differs from what it would write.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rotor-dev/rotor/internal/jira/jiratest"
)

// descriptionName is the file name of Atlassian's description.
const descriptionName = "jira-cloud-platform-v3.openapi.json"

// subsetPath is where the subset lives, from the module root.
var subsetPath = filepath.Join("internal", "jira", "testdata", "openapi", "jira-subset.json")

const regenerate = "go run ./scripts/extract-openapi"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("extract-openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "Atlassian's description (default: $ROTOR_JIRA_OPENAPI, else shared/reference/"+descriptionName+" here or above)")
	out := fs.String("out", "", "the subset to write (default: "+subsetPath+" in the module)")
	check := fs.Bool("check", false, "write nothing; exit 1 when the subset is not what this would write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "extract-openapi:", err)
		return 1
	}
	wd, err := os.Getwd()
	if err != nil {
		return fail(err)
	}
	if *in == "" {
		if *in, err = findDescription(wd); err != nil {
			return fail(err)
		}
	}
	if *out == "" {
		root, err := moduleRoot(wd)
		if err != nil {
			return fail(err)
		}
		*out = filepath.Join(root, subsetPath)
	}
	full, err := os.ReadFile(*in)
	if err != nil {
		return fail(err)
	}
	subset, err := extract(full, jiratest.Routes())
	if err != nil {
		return fail(fmt.Errorf("%s: %w", *in, err))
	}
	if *check {
		old, err := os.ReadFile(*out)
		if err != nil {
			return fail(err)
		}
		if !bytes.Equal(old, subset) {
			return fail(fmt.Errorf("%s is not the subset of %s that the fake's routes need: run %s", *out, *in, regenerate))
		}
		fmt.Fprintf(stdout, "%s is up to date\n", *out)
		return 0
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(*out, subset, 0o644); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, %d operations)\n", *out, len(subset), len(jiratest.Routes()))
	return 0
}

// findDescription returns Atlassian's description: $ROTOR_JIRA_OPENAPI
// when set, else shared/reference/descriptionName in dir or the nearest
// directory above it that has one.
func findDescription(dir string) (string, error) {
	if p := os.Getenv("ROTOR_JIRA_OPENAPI"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ROTOR_JIRA_OPENAPI: %w", err)
		}
		return p, nil
	}
	for d := dir; ; {
		p := filepath.Join(d, "shared", "reference", descriptionName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no shared/reference/%s in %s or above it: name the file with -in or $ROTOR_JIRA_OPENAPI", descriptionName, dir)
		}
		d = parent
	}
}

func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod in %s or above it: run this from the repository, or name the output with -out", dir)
		}
		d = parent
	}
}

// methods are the keys of an OpenAPI path item that name operations.
var methods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// extract returns the subset of the OpenAPI document full that serves
// routes ("METHOD /path/{template}"): those operations, the path items'
// own fields, every component they reference, and the document's
// openapi, info and servers; encoded with sorted keys.
func extract(full []byte, routes []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(full))
	dec.UseNumber() // numbers keep their text
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	info, _ := doc["info"].(map[string]any)
	if paths == nil || info == nil {
		return nil, errors.New("not an OpenAPI document: no paths or info")
	}

	ops := append([]string(nil), routes...)
	sort.Strings(ops)
	outPaths := map[string]any{}
	c := closure{components: components, out: map[string]map[string]any{}}
	for _, r := range ops {
		method, path, ok := strings.Cut(r, " ")
		m := strings.ToLower(method)
		if !ok || !methods[m] {
			return nil, fmt.Errorf("route %q is not \"METHOD /path\"", r)
		}
		item, _ := paths[path].(map[string]any)
		op, _ := item[m].(map[string]any)
		if op == nil {
			return nil, fmt.Errorf("the description has no operation %s %s", method, path)
		}
		out, _ := outPaths[path].(map[string]any)
		if out == nil {
			out = map[string]any{}
			for k, v := range item { // summary, parameters, ...: they hold for every operation of the path
				if !methods[k] {
					out[k] = v
					if err := c.walk(v); err != nil {
						return nil, fmt.Errorf("%s: %w", path, err)
					}
				}
			}
			outPaths[path] = out
		}
		out[m] = op
		if err := c.walk(op); err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		if err := c.security(op["security"]); err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
	}
	if err := c.security(doc["security"]); err != nil {
		return nil, err
	}

	sum := sha256.Sum256(full)
	outInfo := map[string]any{}
	for k, v := range info {
		outInfo[k] = v
	}
	outInfo["x-rotor-subset"] = map[string]any{
		"source":       descriptionName + ": Atlassian's OpenAPI description of the Jira Cloud platform REST API, kept in shared/reference/ beside the repository",
		"sourceSHA256": hex.EncodeToString(sum[:]),
		"contents":     "the operations rotor's fake Jira (internal/jira/jiratest) serves and every component they reference, copied verbatim; nothing else",
		"operations":   ops,
		"regenerate":   regenerate,
	}
	outComponents := map[string]any{}
	for kind, named := range c.out {
		outComponents[kind] = named
	}
	out := map[string]any{
		"openapi":    doc["openapi"],
		"info":       outInfo,
		"paths":      outPaths,
		"components": outComponents,
	}
	if s, ok := doc["servers"]; ok {
		out["servers"] = s
	}
	if s, ok := doc["security"]; ok {
		out["security"] = s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil { // maps encode with sorted keys
		return nil, err
	}
	return buf.Bytes(), nil
}

// closure collects the components a part of the document references.
type closure struct {
	components map[string]any
	out        map[string]map[string]any // kind → name → component
}

// walk adds every component v references, and what those reference.
func (c *closure) walk(v any) error {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			if err := c.add(ref); err != nil {
				return err
			}
		}
		for k, x := range v {
			if k == "$ref" {
				continue
			}
			if err := c.walk(x); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range v {
			if err := c.walk(x); err != nil {
				return err
			}
		}
	}
	return nil
}

// add adds the component ref points into ("#/components/{kind}/{name}",
// perhaps followed by a pointer inside it).
func (c *closure) add(ref string) error {
	parts := strings.Split(ref, "/")
	if len(parts) < 4 || parts[0] != "#" || parts[1] != "components" {
		return fmt.Errorf("$ref %q does not point into #/components/", ref)
	}
	kind := unescape(parts[2])
	name := unescape(parts[3])
	if _, done := c.out[kind][name]; done {
		return nil
	}
	named, _ := c.components[kind].(map[string]any)
	comp, ok := named[name]
	if !ok {
		return fmt.Errorf("$ref %q: no such component", ref)
	}
	if c.out[kind] == nil {
		c.out[kind] = map[string]any{}
	}
	c.out[kind][name] = comp // before walking it: components may reference themselves
	if err := c.walk(comp); err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	return nil
}

// security adds the security schemes a list of security requirements
// names.
func (c *closure) security(v any) error {
	reqs, _ := v.([]any)
	for _, r := range reqs {
		req, _ := r.(map[string]any)
		for name := range req {
			if err := c.add("#/components/securitySchemes/" + escape(name)); err != nil {
				return fmt.Errorf("security requirement %q: %w", name, err)
			}
		}
	}
	return nil
}

func unescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
