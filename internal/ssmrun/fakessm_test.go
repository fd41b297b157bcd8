package ssmrun_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// fakeSSM is an httptest.Server on 127.0.0.1 that speaks the SSM awsJson1_1 protocol: it reads the
// operation from X-Amz-Target, records the request body and answers from a per-operation script.
// A real *ssm.Client is pointed at it, so serialisation, error deserialisation and signing are the
// SDK's own.
type fakeSSM struct {
	t   testing.TB
	URL string

	mu     sync.Mutex
	script map[string][]reply
	calls  map[string][]json.RawMessage
}

// reply is one scripted answer. A zero status means 200.
type reply struct {
	status int
	body   any
}

// ok answers 200 with body as JSON.
func ok(body any) reply { return reply{body: body} }

// apiErr answers 400 with an awsJson1_1 error of the given code.
func apiErr(code string) reply {
	return reply{status: http.StatusBadRequest, body: map[string]string{"__type": code, "message": code + " from fake ssm"}}
}

// throttled is SSM's answer to a caller over its request rate.
func throttled() reply { return apiErr("ThrottlingException") }

// repeat returns n copies of r.
func repeat(n int, r reply) []reply {
	out := make([]reply, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// seq concatenates reply lists.
func seq(parts ...[]reply) []reply {
	var out []reply
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func ping(id, status string) reply {
	return ok(map[string]any{"InstanceInformationList": []map[string]any{{
		"InstanceId": id, "PingStatus": status, "PlatformType": "Linux", "ResourceType": "EC2Instance",
	}}})
}

func online(id string) reply { return ping(id, "Online") }

func unregistered() reply { return ok(map[string]any{"InstanceInformationList": []any{}}) }

func sent(commandID string) reply {
	return ok(map[string]any{"Command": map[string]any{"CommandId": commandID, "Status": "Pending", "DocumentName": "AWS-RunShellScript"}})
}

// invocation is a GetCommandInvocation answer.
type invocation struct {
	status, details string
	code            int
	stdout, stderr  string
}

func (i invocation) reply() reply {
	details := i.details
	if details == "" {
		details = i.status
	}
	return ok(map[string]any{
		"CommandId": "cmd", "InstanceId": "i", "DocumentName": "AWS-RunShellScript", "PluginName": "aws:runShellScript",
		"Status": i.status, "StatusDetails": details, "ResponseCode": i.code,
		"StandardOutputContent": i.stdout, "StandardErrorContent": i.stderr,
	})
}

func inv(status string) reply { return invocation{status: status, code: -1}.reply() }

func success(stdout string) reply { return invocation{status: "Success", stdout: stdout}.reply() }

// newFakeSSM starts a fake answering each operation from script: the n-th call gets the n-th reply,
// and calls past the end get the last one again. Unscripted operations fail the test.
func newFakeSSM(t testing.TB, script map[string][]reply) *fakeSSM {
	t.Helper()
	f := &fakeSSM{t: t, script: script, calls: map[string][]json.RawMessage{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(f.serve)}}
	srv.Start()
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *fakeSSM) serve(w http.ResponseWriter, r *http.Request) {
	op, found := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	body, err := io.ReadAll(r.Body)
	if errors.Is(err, io.ErrUnexpectedEOF) || r.Context().Err() != nil {
		// The client abandoned the request mid-body (a test cancelling its context does
		// this on purpose): there is no call to record or answer.
		return
	}
	switch {
	case err != nil:
		f.t.Errorf("fake ssm: read body: %v", err)
	case r.Method != http.MethodPost || !found:
		f.t.Errorf("fake ssm: %s with X-Amz-Target %q; want POST AmazonSSM.<Op>", r.Method, r.Header.Get("X-Amz-Target"))
	case r.Header.Get("Content-Type") != "application/x-amz-json-1.1":
		f.t.Errorf("fake ssm: %s Content-Type %q; want application/x-amz-json-1.1", op, r.Header.Get("Content-Type"))
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=testing/"):
		f.t.Errorf("fake ssm: %s not signed with the fake test credentials: %q", op, r.Header.Get("Authorization"))
	}

	f.mu.Lock()
	f.calls[op] = append(f.calls[op], json.RawMessage(body))
	n := len(f.calls[op])
	replies := f.script[op]
	f.mu.Unlock()

	rep := apiErr("UnknownOperationException")
	if len(replies) == 0 {
		f.t.Errorf("fake ssm: unscripted operation %s", op)
	} else {
		rep = replies[min(n, len(replies))-1]
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if rep.status != 0 {
		w.WriteHeader(rep.status)
	}
	if err := json.NewEncoder(w).Encode(rep.body); err != nil {
		f.t.Errorf("fake ssm: encode %s reply: %v", op, err)
	}
}

// count is how many times op was called.
func (f *fakeSSM) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls[op])
}

// total is how many calls of any operation were made.
func (f *fakeSSM) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += len(c)
	}
	return n
}

// request decodes the i-th body sent for op into v.
func (f *fakeSSM) request(op string, i int, v any) {
	f.t.Helper()
	f.mu.Lock()
	calls := f.calls[op]
	f.mu.Unlock()
	if i >= len(calls) {
		f.t.Fatalf("fake ssm: %s called %d times; want call #%d", op, len(calls), i+1)
	}
	if err := json.Unmarshal(calls[i], v); err != nil {
		f.t.Fatalf("fake ssm: decode %s request: %v", op, err)
	}
}

// client is a real SSM client pointed at the fake. The SDK's own retries are off so that every
// retry the fake sees is the runner's.
func (f *fakeSSM) client() *ssm.Client {
	return ssm.NewFromConfig(testmoto.AWSConfig(f.URL), func(o *ssm.Options) {
		o.Retryer = aws.NopRetryer{}
	})
}
