package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ctreminiom/go-atlassian/v2/pkg/infra/models"
)

// Check is one line of `rotor doctor`: what was checked, whether it
// passed, what was found, and what to do when it did not pass.
type Check struct {
	Name    string
	OK      bool
	Warn    bool // OK, but not as docs/jira-setup.md sets it up: Detail says how, Fix what to change
	Detail  string
	Fix     string // empty when OK without Warn
	Skipped bool   // not checked, because an earlier check failed
}

// Names of the doctor checks, in the order they run.
const (
	CheckSite        = "Jira site answers"
	CheckToken       = "API token works"
	CheckProject     = "project exists"
	CheckPermissions = "permissions in the project"
	CheckIssueType   = "issue type exists in the project"
	CheckWorkflow    = "workflow statuses TO DO, IN PROGRESS and DONE"
	CheckFields      = "custom fields exist"
)

// permissionsNeeded are the project permissions rotor uses.
var permissionsNeeded = []string{"BROWSE_PROJECTS", "CREATE_ISSUES", "EDIT_ISSUES", "ADD_COMMENTS", "ASSIGN_ISSUES"}

// Doctor checks the Jira side of the configuration, in order: the site
// answers, the token works, the project exists, rotor's user has the
// permissions it needs there, the issue type exists in the project, its
// workflow has statuses in the To Do, In Progress and Done categories,
// and the mapped custom fields exist. A failure that makes later checks
// meaningless marks them skipped. Each check waits at most timeout for
// its answers (0: only ctx bounds it); one that gets none in time fails
// saying so.
func (c *Client) Doctor(ctx context.Context, timeout time.Duration) []Check {
	var checks []Check
	skipRest := func(reason string, names ...string) []Check {
		for _, n := range names {
			checks = append(checks, Check{Name: n, Skipped: true, Detail: "not checked: " + reason})
		}
		return checks
	}
	bounded := func(check func(ctx context.Context) Check) Check {
		if timeout <= 0 {
			return check(ctx)
		}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		ck := check(cctx)
		if !ck.OK && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
			ck.Detail = fmt.Sprintf("no answer within %s from %s", timeout, c.base.Host)
			ck.Fix = fmt.Sprintf("check that %s=%s is reachable from here; if Jira is only slow, allow more time (rotor doctor --timeout)", c.names.URL, c.base)
		}
		return ck
	}

	site := bounded(c.checkSite)
	checks = append(checks, site)
	if !site.OK {
		return skipRest("the site did not answer", CheckToken, CheckProject, CheckPermissions, CheckIssueType, CheckWorkflow, CheckFields)
	}
	token := bounded(c.checkToken)
	checks = append(checks, token)
	if !token.OK {
		return skipRest("the token does not work", CheckProject, CheckPermissions, CheckIssueType, CheckWorkflow, CheckFields)
	}
	var types []issueTypeRef
	project := bounded(func(ctx context.Context) (ck Check) {
		ck, types = c.checkProject(ctx)
		return ck
	})
	checks = append(checks, project)
	if project.OK {
		checks = append(checks, bounded(c.checkPermissions))
		issueType := bounded(func(ctx context.Context) Check { return c.checkIssueType(ctx, types) })
		checks = append(checks, issueType)
		if issueType.OK {
			checks = append(checks, bounded(c.checkWorkflow))
		} else {
			skipRest("the issue type is missing", CheckWorkflow)
		}
	} else {
		skipRest("the project is missing", CheckPermissions, CheckIssueType, CheckWorkflow)
	}
	checks = append(checks, bounded(c.checkFields))
	return checks
}

// doctorCall runs a call for the doctor: no retry beyond the safe ones, so
// a broken site fails fast.
func (c *Client) doctorCall(ctx context.Context, op string, f func(ctx context.Context) (*models.ResponseScheme, error)) error {
	return c.call(ctx, op, true, f)
}

func (c *Client) checkSite(ctx context.Context) Check {
	ck := Check{Name: CheckSite}
	var info serverInfoAnswer
	err := c.doctorCall(ctx, "read server info", func(ctx context.Context) (r *models.ResponseScheme, err error) {
		if _, r, err = c.api.ServerInfo(ctx); err == nil {
			if err = expect(r, http.StatusOK, &info); err == nil && (info.BaseURL == nil || *info.BaseURL == "") {
				err = unexpected("no baseUrl")
			}
		}
		return r, err
	})
	var je *Error
	switch {
	case err == nil:
		ck.OK = true
		ck.Detail = fmt.Sprintf("%s answers", c.base)
		if info.ServerTitle != "" {
			ck.Detail += fmt.Sprintf(" (%s, %s)", info.ServerTitle, strings.ToLower(info.DeploymentType))
		}
		if info.DeploymentType != "" && !strings.EqualFold(info.DeploymentType, "Cloud") {
			ck.Detail += "; rotor is made for Jira Cloud, this is " + info.DeploymentType
		}
	case errors.As(err, &je) && (je.StatusCode == http.StatusUnauthorized || je.StatusCode == http.StatusForbidden):
		ck.OK = true // Jira answered, it only wants credentials for this
		ck.Detail = fmt.Sprintf("%s answers (server info needs authentication)", c.base)
	case errors.Is(err, ErrUnexpectedAnswer) || errors.As(err, &je) && je.StatusCode != 0:
		ck.Detail = answer(err)
		ck.Fix = c.fixFor(err, c.notJira())
	default:
		ck.Detail = answer(err)
		ck.Fix = fmt.Sprintf("check %s=%s (spelling, https, network access from the runner)", c.names.URL, c.base)
	}
	return ck
}

func (c *Client) checkToken(ctx context.Context) Check {
	ck := Check{Name: CheckToken}
	// The model's Active cannot tell false from absent: read it raw.
	var me myselfAnswer
	err := c.doctorCall(ctx, "read the current user", func(ctx context.Context) (r *models.ResponseScheme, err error) {
		if _, r, err = c.api.Myself(ctx); err == nil {
			if err = expect(r, http.StatusOK, &me); err == nil && (me.AccountID == nil || *me.AccountID == "") {
				err = unexpected("no accountId")
			}
		}
		return r, err
	})
	if err != nil {
		ck.Detail = answer(err)
		switch StatusCode(err) {
		case http.StatusUnauthorized:
			ck.Fix = fmt.Sprintf("create an API token for %s at https://id.atlassian.com/manage-profile/security/api-tokens and store it in %s; %s must be that user's email",
				c.email, c.names.Token, c.names.Email)
		case http.StatusForbidden:
			ck.Fix = fmt.Sprintf("%s is known but may not use Jira: give the user Jira product access in admin.atlassian.com", c.email)
		default:
			ck.Fix = c.fixFor(err, "retry later; if it persists, check the Jira status page")
		}
		return ck
	}
	if me.Active != nil && !*me.Active {
		ck.Detail = fmt.Sprintf("the token belongs to %s (%s), whose account is deactivated", me.DisplayName, *me.AccountID)
		ck.Fix = "reactivate the user in admin.atlassian.com or use another user's token"
		return ck
	}
	ck.OK = true
	ck.Detail = fmt.Sprintf("authenticated as %s (accountId %s)", me.DisplayName, *me.AccountID)
	return ck
}

func (c *Client) checkProject(ctx context.Context) (Check, []issueTypeRef) {
	ck := Check{Name: CheckProject}
	// The model's IssueTypes cannot tell an empty list from an absent one,
	// which means "ask create metadata": read it raw.
	var p projectAnswer
	err := c.doctorCall(ctx, "read project "+c.project, func(ctx context.Context) (r *models.ResponseScheme, err error) {
		if _, r, err = c.api.Project(ctx, c.project); err != nil {
			return r, err
		}
		switch err = expect(r, http.StatusOK, &p); {
		case err != nil:
		case p.Key == nil || !strings.EqualFold(*p.Key, c.project):
			err = unexpected("the answer is not project %s", c.project)
		case p.IssueTypes != nil:
			err = checkIssueTypes(*p.IssueTypes)
		}
		return r, err
	})
	if err != nil {
		ck.Detail = answer(err)
		if StatusCode(err) == http.StatusNotFound {
			ck.Detail = fmt.Sprintf("project %q is unknown to Jira, or %s may not browse it", c.project, c.email)
			ck.Fix = fmt.Sprintf("set jira.project in credential_rotation/rotor.yaml to an existing project key, and grant %s the Browse Projects permission there", c.email)
		} else {
			ck.Fix = c.fixFor(err, "retry later; if it persists, run with a Jira admin to look at the project")
		}
		return ck, nil
	}
	if p.Archived || p.Deleted {
		ck.Detail = fmt.Sprintf("project %s (%s) is archived or in the trash", *p.Key, p.Name)
		ck.Fix = "restore the project in Jira settings → Projects, or set jira.project to an active one"
		return ck, nil
	}
	ck.OK = true
	ck.Detail = fmt.Sprintf("%s (%s)", *p.Key, p.Name)
	if p.IssueTypes == nil {
		return ck, nil
	}
	if *p.IssueTypes == nil {
		return ck, []issueTypeRef{}
	}
	return ck, *p.IssueTypes
}

func (c *Client) checkPermissions(ctx context.Context) Check {
	ck := Check{Name: CheckPermissions}
	var res permissionsAnswer
	err := c.doctorCall(ctx, "read permissions in "+c.project, func(ctx context.Context) (*models.ResponseScheme, error) {
		r, err := c.api.MyPermissions(ctx, c.project, permissionsNeeded, nil)
		if err != nil {
			return r, err
		}
		if err = expect(r, http.StatusOK, &res); err != nil {
			return r, err
		}
		if res.Permissions == nil {
			return r, unexpected("no permissions")
		}
		for _, k := range permissionsNeeded {
			if p, ok := (*res.Permissions)[k]; !ok || p.HavePermission == nil {
				return r, unexpected("nothing about %s, which rotor asked for", k)
			}
		}
		return r, nil
	})
	if err != nil {
		ck.Detail = answer(err)
		ck.Fix = c.fixFor(err, "retry later; if it persists, ask a Jira admin to check the project's permission scheme")
		return ck
	}
	var missing []string
	for _, k := range permissionsNeeded {
		if !*(*res.Permissions)[k].HavePermission {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		ck.Detail = fmt.Sprintf("%s lacks %s in %s", c.email, strings.Join(missing, ", "), c.project)
		ck.Fix = fmt.Sprintf("grant %s (or a group or role it is in) these permissions in the permission scheme of %s", c.email, c.project)
		return ck
	}
	ck.OK = true
	ck.Detail = strings.Join(permissionsNeeded, ", ")
	return ck
}

func (c *Client) checkIssueType(ctx context.Context, types []issueTypeRef) Check {
	ck := Check{Name: CheckIssueType}
	if types == nil { // the project answer did not list them: ask create metadata
		var page createMetaAnswer
		err := c.doctorCall(ctx, "read the issue types of "+c.project, func(ctx context.Context) (*models.ResponseScheme, error) {
			r, err := c.api.CreateMetaIssueTypes(ctx, c.project, 200)
			if err != nil {
				return r, err
			}
			switch err = expect(r, http.StatusOK, &page); {
			case err != nil:
			case page.IssueTypes == nil:
				err = unexpected("no issueTypes")
			default:
				err = checkIssueTypes(*page.IssueTypes)
			}
			return r, err
		})
		if err != nil {
			ck.Detail = answer(err)
			ck.Fix = c.fixFor(err, "retry later; if it persists, check the project's issue type scheme with a Jira admin")
			return ck
		}
		types = *page.IssueTypes
	}
	var names []string
	for _, t := range types {
		if strings.EqualFold(*t.Name, c.issueType) {
			ck.OK = true
			ck.Detail = fmt.Sprintf("%q (id %s)", *t.Name, *t.ID)
			return ck
		}
		names = append(names, fmt.Sprintf("%q", *t.Name))
	}
	sort.Strings(names)
	ck.Detail = fmt.Sprintf("%s has no issue type %q; it has %s", c.project, c.issueType, orNone(names))
	ck.Fix = fmt.Sprintf("add %q to the issue type scheme of %s (docs/jira-setup.md), or set jira.issue_type in credential_rotation/rotor.yaml to one of its types", c.issueType, c.project)
	return ck
}

// workflowCategories are the status categories of docs/jira-setup.md's
// workflow, TO DO → IN PROGRESS → DONE, with the names Jira shows them
// by. rotor needs only done (it recognises a rotation by it); a workflow
// without one of the others works, and is reported as a warning.
var workflowCategories = []struct{ key, name string }{
	{"new", "To Do"}, {"indeterminate", "In Progress"}, {"done", "Done"},
}

func (c *Client) checkWorkflow(ctx context.Context) Check {
	ck := Check{Name: CheckWorkflow}
	var types []projectStatusesAnswer
	err := c.doctorCall(ctx, "read the statuses of "+c.project, func(ctx context.Context) (r *models.ResponseScheme, err error) {
		if _, r, err = c.api.ProjectStatuses(ctx, c.project); err != nil {
			return r, err
		}
		if err = expect(r, http.StatusOK, &types); err != nil {
			return r, err
		}
		for _, t := range types {
			if t.Name == nil || t.Statuses == nil {
				return r, unexpected("an issue type without a name or statuses")
			}
			for _, st := range *t.Statuses {
				if err := st.check(); err != nil {
					return r, fmt.Errorf("issue type %q: %w", *t.Name, err)
				}
			}
		}
		return r, nil
	})
	if err != nil {
		ck.Detail = answer(err)
		ck.Fix = c.fixFor(err, "retry later; if it persists, check the workflow of the issue type with a Jira admin")
		return ck
	}
	for _, t := range types {
		if !strings.EqualFold(*t.Name, c.issueType) {
			continue
		}
		byCategory := map[string][]string{}
		var all []string
		for _, s := range *t.Statuses {
			name, category := *s.Name, *s.StatusCategory.Key
			all = append(all, fmt.Sprintf("%s (%s)", name, category))
			byCategory[category] = append(byCategory[category], name)
		}
		done := byCategory["done"]
		if len(done) == 0 {
			ck.Detail = fmt.Sprintf("the workflow of %q has no status in the done category; it has %s", c.issueType, orNone(all))
			ck.Fix = "give the workflow a final status in the Done category (TO DO → IN PROGRESS → DONE, docs/jira-setup.md)"
			return ck
		}
		ck.OK = true
		ck.Detail = fmt.Sprintf("done when a ticket reaches %s", strings.Join(done, " or "))
		var missing []string
		for _, cat := range workflowCategories {
			if len(byCategory[cat.key]) == 0 {
				missing = append(missing, "the "+cat.name+" category")
			}
		}
		if len(missing) > 0 {
			ck.Warn = true
			ck.Detail = fmt.Sprintf("%s; but the workflow of %q has no status in %s; it has %s",
				ck.Detail, c.issueType, strings.Join(missing, " or "), strings.Join(all, ", "))
			ck.Fix = "rotor needs only the Done category; give the workflow the statuses of docs/jira-setup.md step 4 (TO DO → IN PROGRESS → DONE) so that people can show a rotation is under way"
		}
		return ck
	}
	ck.Detail = fmt.Sprintf("Jira lists no workflow statuses for %q in %s", c.issueType, c.project)
	ck.Fix = fmt.Sprintf("associate a workflow with %q in the workflow scheme of %s", c.issueType, c.project)
	return ck
}

func (c *Client) checkFields(ctx context.Context) Check {
	ck := Check{Name: CheckFields}
	wanted := []struct{ setting, id, kind string }{
		{"credential_name", c.fields.CredentialName, "string"},
		{"next_due_date", c.fields.NextDueDate, "date"},
		{"contact_person", c.fields.ContactPerson, "string"},
	}
	mapped := 0
	for _, w := range wanted {
		if w.id != "" {
			mapped++
		}
	}
	if mapped == 0 {
		ck.OK = true
		ck.Detail = "no custom fields mapped (jira.fields is optional)"
		return ck
	}
	var fields []fieldAnswer
	err := c.doctorCall(ctx, "list fields", func(ctx context.Context) (r *models.ResponseScheme, err error) {
		if _, r, err = c.api.Fields(ctx); err != nil {
			return r, err
		}
		if err = expect(r, http.StatusOK, &fields); err != nil {
			return r, err
		}
		for _, f := range fields {
			if f.ID == nil || *f.ID == "" {
				return r, unexpected("a field without an id")
			}
		}
		return r, nil
	})
	if err != nil {
		ck.Detail = answer(err)
		ck.Fix = c.fixFor(err, "retry later")
		return ck
	}
	var found, problems []string
	for _, w := range wanted {
		if w.id == "" {
			continue
		}
		i := -1
		for j := range fields {
			if *fields[j].ID == w.id {
				i = j
				break
			}
		}
		switch {
		case i < 0:
			problems = append(problems, fmt.Sprintf("jira.fields.%s: %s does not exist", w.setting, w.id))
		case fields[i].Schema != nil && fields[i].Schema.Type != w.kind:
			problems = append(problems, fmt.Sprintf("jira.fields.%s: %s (%s) holds %s values, rotor writes a %s",
				w.setting, w.id, fields[i].Name, fields[i].Schema.Type, w.kind))
		case fields[i].Schema != nil && !writableKind(w.kind, fields[i].Schema.Custom):
			problems = append(problems, fmt.Sprintf("jira.fields.%s: %s (%s) is a %s field, rotor writes %s: map a %s field",
				w.setting, w.id, fields[i].Name, customKind(fields[i].Schema.Custom), kindText[w.kind], kindField[w.kind]))
		default:
			found = append(found, fmt.Sprintf("%s = %s (%s)", w.setting, w.id, fields[i].Name))
		}
	}
	if len(problems) > 0 {
		ck.Detail = strings.Join(problems, "; ")
		ck.Fix = "find the ids in Jira settings → Issues → Custom fields (docs/jira-setup.md) and correct jira.fields in credential_rotation/rotor.yaml, or remove the mapping"
		return ck
	}
	ck.OK = true
	ck.Detail = strings.Join(found, ", ")
	return ck
}

// Custom field types rotor can write a plain value into, by the value it
// writes; a type that takes another shape (a paragraph takes rich text in
// API v3, a select an option) is refused by Jira on every write.
var (
	writableKinds = map[string][]string{"string": {"textfield"}, "date": {"datepicker"}}
	kindText      = map[string]string{"string": "one line of plain text", "date": "a date"}
	kindField     = map[string]string{"string": "single-line text (Short text)", "date": "Date Picker"}
)

const customTypePrefix = "com.atlassian.jira.plugin.system.customfieldtypes:"

// writableKind reports whether a field of custom type custom (its schema's
// "custom"; empty for a system field or an app's own type Jira does not
// name) takes the values rotor writes as kind.
func writableKind(kind, custom string) bool {
	name, builtin := strings.CutPrefix(custom, customTypePrefix)
	return custom == "" || !builtin || slices.Contains(writableKinds[kind], name)
}

// customKind names a custom field type for a message.
func customKind(custom string) string {
	name, _ := strings.CutPrefix(custom, customTypePrefix)
	return name
}

// notJira is the fix for a site that answers, but not as Jira does.
func (c *Client) notJira() string {
	return fmt.Sprintf("%s=%s answered but not like the Jira Cloud REST API: set it to the site root, e.g. https://example.atlassian.net", c.names.URL, c.base)
}

// fixFor is what to do about err: for a redirect or an answer of the
// wrong shape, whatever the check, fix the site address; else fallback.
func (c *Client) fixFor(err error, fallback string) string {
	var e *Error
	switch {
	case errors.As(err, &e) && e.StatusCode >= 300 && e.StatusCode < 400:
		return statusHint(e.StatusCode, c.names)
	case errors.Is(err, ErrUnexpectedAnswer):
		return c.notJira()
	}
	return fallback
}

// answer describes a failed request for a check's Detail.
func answer(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.StatusCode == 0 {
			return fmt.Sprintf("%s %s got no answer: %s", e.Method, e.Path, e.Answer())
		}
		return fmt.Sprintf("%s %s answered %s", e.Method, e.Path, e.Answer())
	}
	return err.Error()
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
