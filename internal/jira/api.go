package jira

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	v3 "github.com/ctreminiom/go-atlassian/v2/jira/v3"
	"github.com/ctreminiom/go-atlassian/v2/pkg/infra/models"
)

// api is the part of the Jira REST API v3 rotor uses. Every method
// returns the *models.ResponseScheme of the exchange, when there was one,
// so a failure becomes an *Error the same way whatever the call.
type api interface {
	SearchJQL(ctx context.Context, jql string, fields []string, maxResults int, nextPageToken string) (*models.IssueSearchJQLScheme, *models.ResponseScheme, error)
	GetIssue(ctx context.Context, key string, fields []string) (*models.IssueScheme, *models.ResponseScheme, error)
	CreateIssue(ctx context.Context, issue *models.IssueScheme, raw *models.CustomFields) (*models.IssueResponseScheme, *models.ResponseScheme, error)
	EditIssue(ctx context.Context, key string, issue *models.IssueScheme, raw *models.CustomFields, ops *models.UpdateOperations) (*models.ResponseScheme, error)
	AddComment(ctx context.Context, key string, body *models.CommentNodeScheme) (*models.ResponseScheme, error)
	Comments(ctx context.Context, key string, startAt, maxResults int) (*models.IssueCommentPageScheme, *models.ResponseScheme, error)
	Transitions(ctx context.Context, key string) (*models.IssueTransitionsScheme, *models.ResponseScheme, error)
	Transition(ctx context.Context, key, transitionID string) (*models.ResponseScheme, error)

	ServerInfo(ctx context.Context) (*models.ServerInformationScheme, *models.ResponseScheme, error)
	Myself(ctx context.Context) (*models.UserScheme, *models.ResponseScheme, error)
	Project(ctx context.Context, key string) (*models.ProjectScheme, *models.ResponseScheme, error)
	MyPermissions(ctx context.Context, project string, permissions []string, out any) (*models.ResponseScheme, error)
	CreateMetaIssueTypes(ctx context.Context, project string, maxResults int) (*models.ResponseScheme, error)
	ProjectStatuses(ctx context.Context, project string) ([]*models.ProjectStatusPageScheme, *models.ResponseScheme, error)
	Fields(ctx context.Context) ([]*models.IssueFieldScheme, *models.ResponseScheme, error)
}

// atlassian implements api with go-atlassian's Jira v3 client.
type atlassian struct {
	c *v3.Client
}

var _ api = atlassian{}

// newAtlassian returns a go-atlassian client of site that sends Basic auth
// through hc.
func newAtlassian(hc *http.Client, site, email, token string) (atlassian, error) {
	c, err := v3.New(hc, site)
	if err != nil {
		return atlassian{}, err
	}
	c.Auth.SetBasicAuth(email, token)
	c.Auth.SetUserAgent("rotor")
	return atlassian{c: c}, nil
}

// go-atlassian puts keys into paths as they are: escape them first.

func (a atlassian) SearchJQL(ctx context.Context, jql string, fields []string, maxResults int, nextPageToken string) (*models.IssueSearchJQLScheme, *models.ResponseScheme, error) {
	return a.c.Issue.Search.SearchJQL(ctx, jql, fields, nil, maxResults, nextPageToken)
}

func (a atlassian) GetIssue(ctx context.Context, key string, fields []string) (*models.IssueScheme, *models.ResponseScheme, error) {
	return a.c.Issue.Get(ctx, url.PathEscape(key), fields, nil)
}

func (a atlassian) CreateIssue(ctx context.Context, issue *models.IssueScheme, raw *models.CustomFields) (*models.IssueResponseScheme, *models.ResponseScheme, error) {
	return a.c.Issue.Create(ctx, issue, raw)
}

func (a atlassian) EditIssue(ctx context.Context, key string, issue *models.IssueScheme, raw *models.CustomFields, ops *models.UpdateOperations) (*models.ResponseScheme, error) {
	// notifyUsers=true is Jira's default; false would need admin rights.
	return a.c.Issue.Update(ctx, url.PathEscape(key), true, issue, raw, ops)
}

func (a atlassian) AddComment(ctx context.Context, key string, body *models.CommentNodeScheme) (*models.ResponseScheme, error) {
	_, res, err := a.c.Issue.Comment.Add(ctx, url.PathEscape(key), &models.CommentPayloadScheme{Body: body}, nil)
	return res, err
}

func (a atlassian) Comments(ctx context.Context, key string, startAt, maxResults int) (*models.IssueCommentPageScheme, *models.ResponseScheme, error) {
	return a.c.Issue.Comment.Gets(ctx, url.PathEscape(key), "created", nil, startAt, maxResults)
}

func (a atlassian) Transitions(ctx context.Context, key string) (*models.IssueTransitionsScheme, *models.ResponseScheme, error) {
	return a.c.Issue.Transitions(ctx, url.PathEscape(key))
}

func (a atlassian) Transition(ctx context.Context, key, transitionID string) (*models.ResponseScheme, error) {
	return a.c.Issue.Move(ctx, url.PathEscape(key), transitionID, nil)
}

func (a atlassian) ServerInfo(ctx context.Context) (*models.ServerInformationScheme, *models.ResponseScheme, error) {
	return a.c.Server.Info(ctx)
}

func (a atlassian) Myself(ctx context.Context) (*models.UserScheme, *models.ResponseScheme, error) {
	return a.c.MySelf.Details(ctx, nil)
}

func (a atlassian) Project(ctx context.Context, key string) (*models.ProjectScheme, *models.ResponseScheme, error) {
	return a.c.Project.Get(ctx, url.PathEscape(key), nil)
}

// MyPermissions is a direct request: go-atlassian v2.12.0 has no call for
// GET /rest/api/3/mypermissions.
func (a atlassian) MyPermissions(ctx context.Context, project string, permissions []string, out any) (*models.ResponseScheme, error) {
	q := url.Values{"projectKey": {project}, "permissions": {strings.Join(permissions, ",")}}
	req, err := a.c.NewRequest(ctx, http.MethodGet, "rest/api/3/mypermissions?"+q.Encode(), "", nil)
	if err != nil {
		return nil, err
	}
	return a.c.Call(req, out)
}

// CreateMetaIssueTypes answers the raw body: go-atlassian hands this page
// over undecoded.
func (a atlassian) CreateMetaIssueTypes(ctx context.Context, project string, maxResults int) (*models.ResponseScheme, error) {
	_, res, err := a.c.Issue.Metadata.FetchIssueMappings(ctx, url.PathEscape(project), 0, maxResults)
	return res, err
}

func (a atlassian) ProjectStatuses(ctx context.Context, project string) ([]*models.ProjectStatusPageScheme, *models.ResponseScheme, error) {
	return a.c.Project.Statuses(ctx, url.PathEscape(project))
}

func (a atlassian) Fields(ctx context.Context) ([]*models.IssueFieldScheme, *models.ResponseScheme, error) {
	return a.c.Issue.Field.Gets(ctx)
}
