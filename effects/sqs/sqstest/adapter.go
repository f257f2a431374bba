package sqstest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Adapter is an HTTP server on loopback that speaks SQS's JSON protocol
// (what aws-sdk-go-v2's service/sqs sends: POST /, X-Amz-Target:
// AmazonSQS.<Op>, application/x-amz-json-1.0) and relays each request to
// goaws in SQS's older Query protocol (form-encoded Action=<Op>, XML
// answers), translating the answers and errors back.
//
// It translates; goaws keeps every queue and message. Where goaws falls
// short of SQS in a way the backend relies on, the adapter adds the
// missing piece from goaws's own operations or its own count, and says
// so here:
//
//   - ReceiveMessage's VisibilityTimeout: goaws ignores it (it hides a
//     received message for the queue's timeout); the adapter follows each
//     received message with goaws's ChangeMessageVisibility.
//   - ApproximateReceiveCount: goaws always answers 1; the adapter counts
//     the deliveries of each message it relays and answers that count.
//     This is the one piece of message state the adapter keeps.
//   - ApproximateNumberOfMessages: goaws counts every message, SQS only
//     the visible ones; the adapter subtracts goaws's not-visible count.
//     goaws cannot tell delayed messages from in-flight ones, so
//     ApproximateNumberOfMessagesDelayed is 0 and delayed messages are
//     counted as not visible.
//   - Batches: goaws's SendMessageBatch drops DelaySeconds and its
//     DeleteMessageBatch never reports a failed entry; it has no
//     ChangeMessageVisibilityBatch. The adapter sends the entries one by
//     one (SQS batches are not atomic either: each entry succeeds or
//     fails on its own).
//   - goaws reads its queue map unlocked in some operations while
//     CreateQueue and DeleteQueue write it (a Go map race that can crash
//     it); the adapter runs those two alone.
type Adapter struct {
	// URL is the adapter's address: the SDK's BaseEndpoint.
	URL string

	goaws  string // goaws's base URL
	client *http.Client
	srv    *http.Server
	ln     net.Listener

	queueMap sync.RWMutex // held exclusively by CreateQueue and DeleteQueue

	mu       sync.Mutex
	receives map[string]int // MessageId → deliveries
}

// NewAdapter starts an adapter on 127.0.0.1 in front of goaws at
// goawsURL. Close stops it.
func NewAdapter(goawsURL string) (*Adapter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &Adapter{URL: "http://" + ln.Addr().String(), goaws: strings.TrimSuffix(goawsURL, "/"), ln: ln,
		client: &http.Client{Timeout: time.Minute}, receives: map[string]int{}}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second}
	go a.srv.Serve(ln)
	return a, nil
}

// Close stops the adapter: its URL refuses connections from then on (an
// outage, to the SDK).
func (a *Adapter) Close() error {
	err := a.srv.Close()
	a.client.CloseIdleConnections()
	return err
}

// apiError is an SQS error as the JSON protocol reports it.
type apiError struct {
	status    int
	typ       string // the error shape: QueueDoesNotExist
	queryCode string // the Query protocol's code: AWS.SimpleQueueService.NonExistentQueue
	message   string
}

func (e *apiError) Error() string { return e.typ + ": " + e.message }

// goaws's error codes, as the error shapes of the JSON protocol.
var errorTypes = map[string]string{
	"AWS.SimpleQueueService.NonExistentQueue":             "QueueDoesNotExist",
	"AWS.SimpleQueueService.MessageNotInFlight":           "MessageNotInflight",
	"AWS.SimpleQueueService.TooManyEntriesInBatchRequest": "TooManyEntriesInBatchRequest",
	"AWS.SimpleQueueService.BatchEntryIdsNotDistinct":     "BatchEntryIdsNotDistinct",
	"AWS.SimpleQueueService.EmptyBatchRequest":            "EmptyBatchRequest",
	"AWS.SimpleQueueService.InvalidAttributeValue":        "InvalidAttributeValue",
	"InvalidMessageContents":                              "InvalidMessageContents",
}

// request holds the members of every operation the adapter translates.
type request struct {
	QueueUrl                    string
	QueueName                   string
	QueueNamePrefix             string
	ReceiptHandle               string
	MessageBody                 string
	DelaySeconds                *int32
	VisibilityTimeout           *int32
	MaxNumberOfMessages         *int32
	WaitTimeSeconds             *int32
	AttributeNames              []string
	MessageSystemAttributeNames []string
	Attributes                  map[string]string
	Entries                     []entry
}

type entry struct {
	Id                string
	ReceiptHandle     string
	MessageBody       string
	DelaySeconds      *int32
	VisibilityTimeout *int32
}

type batchFailure struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	var req request
	body, err := io.ReadAll(r.Body)
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, &req)
	}
	switch {
	case r.Method != http.MethodPost || !ok:
		writeError(w, &apiError{status: 400, typ: "UnsupportedOperation", message: "the adapter speaks SQS's JSON protocol: POST with X-Amz-Target: AmazonSQS.<Op>"})
		return
	case err != nil:
		writeError(w, &apiError{status: 400, typ: "InvalidParameterValue", message: "body: " + err.Error()})
		return
	}
	if op == "CreateQueue" || op == "DeleteQueue" {
		a.queueMap.Lock()
		defer a.queueMap.Unlock()
	} else {
		a.queueMap.RLock()
		defer a.queueMap.RUnlock()
	}
	ctx := r.Context()
	var out any
	switch op {
	case "CreateQueue":
		out, err = a.createQueue(ctx, &req)
	case "GetQueueUrl":
		out, err = a.getQueueURL(ctx, &req)
	case "ListQueues":
		out, err = a.listQueues(ctx, &req)
	case "DeleteQueue":
		err = a.query(ctx, "DeleteQueue", url.Values{"QueueUrl": {req.QueueUrl}}, nil)
		out = struct{}{}
	case "GetQueueAttributes":
		out, err = a.getQueueAttributes(ctx, &req)
	case "SendMessage":
		out, err = a.sendMessage(ctx, req.QueueUrl, req.MessageBody, req.DelaySeconds)
	case "SendMessageBatch":
		out, err = a.sendMessageBatch(ctx, &req)
	case "ReceiveMessage":
		out, err = a.receiveMessage(ctx, &req)
	case "DeleteMessage":
		err = a.deleteMessage(ctx, req.QueueUrl, req.ReceiptHandle)
		out = struct{}{}
	case "DeleteMessageBatch":
		out, err = a.batch(req.Entries, func(e entry) error { return a.deleteMessage(ctx, req.QueueUrl, e.ReceiptHandle) })
	case "ChangeMessageVisibility":
		err = a.changeVisibility(ctx, req.QueueUrl, req.ReceiptHandle, req.VisibilityTimeout)
		out = struct{}{}
	case "ChangeMessageVisibilityBatch":
		out, err = a.batch(req.Entries, func(e entry) error {
			return a.changeVisibility(ctx, req.QueueUrl, e.ReceiptHandle, e.VisibilityTimeout)
		})
	default:
		err = &apiError{status: 400, typ: "UnsupportedOperation", message: "the goaws adapter does not translate " + op}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", "00000000-0000-0000-0000-000000000000")
	json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{status: 500, typ: "InternalError", message: err.Error()}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if e.queryCode != "" {
		w.Header().Set("X-Amzn-Query-Error", e.queryCode+";Sender")
	}
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.typ, "message": e.message})
}

// query sends one Query-protocol request to goaws and decodes its XML
// answer into out (nil: discard it).
func (a *Adapter) query(ctx context.Context, action string, form url.Values, out any) error {
	form.Set("Action", action)
	form.Set("Version", "2012-11-05")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.goaws+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("goaws: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("goaws: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var er struct {
			Error struct{ Type, Code, Message string }
		}
		if xml.Unmarshal(body, &er) != nil || er.Error.Code == "" {
			return fmt.Errorf("goaws %s: HTTP %d: %s", action, resp.StatusCode, bytes.TrimSpace(body))
		}
		typ := errorTypes[er.Error.Code]
		if typ == "" {
			typ = er.Error.Code
		}
		if action == "DeleteMessage" && resp.StatusCode == http.StatusNotFound {
			// goaws: "The specified queue does not contain the message
			// specified" (code AWS.SimpleQueueService.QueueExists).
			typ = "ReceiptHandleIsInvalid"
		}
		return &apiError{status: 400, typ: typ, queryCode: er.Error.Code, message: er.Error.Message}
	}
	if out == nil {
		return nil
	}
	if err := xml.Unmarshal(body, out); err != nil {
		return fmt.Errorf("goaws %s: decode %q: %w", action, body, err)
	}
	return nil
}

func (a *Adapter) createQueue(ctx context.Context, req *request) (any, error) {
	form := url.Values{"QueueName": {req.QueueName}}
	for i, name := range slices.Sorted(maps.Keys(req.Attributes)) {
		form.Set(fmt.Sprintf("Attribute.%d.Name", i+1), name)
		form.Set(fmt.Sprintf("Attribute.%d.Value", i+1), req.Attributes[name])
	}
	var x struct {
		QueueUrl string `xml:"CreateQueueResult>QueueUrl"`
	}
	if err := a.query(ctx, "CreateQueue", form, &x); err != nil {
		return nil, err
	}
	return map[string]string{"QueueUrl": x.QueueUrl}, nil
}

func (a *Adapter) getQueueURL(ctx context.Context, req *request) (any, error) {
	var x struct {
		QueueUrl string `xml:"GetQueueUrlResult>QueueUrl"`
	}
	if err := a.query(ctx, "GetQueueUrl", url.Values{"QueueName": {req.QueueName}}, &x); err != nil {
		return nil, err
	}
	return map[string]string{"QueueUrl": x.QueueUrl}, nil
}

func (a *Adapter) listQueues(ctx context.Context, req *request) (any, error) {
	var x struct {
		QueueUrls []string `xml:"ListQueuesResult>QueueUrl"`
	}
	if err := a.query(ctx, "ListQueues", url.Values{"QueueNamePrefix": {req.QueueNamePrefix}}, &x); err != nil {
		return nil, err
	}
	return map[string][]string{"QueueUrls": x.QueueUrls}, nil
}

func (a *Adapter) getQueueAttributes(ctx context.Context, req *request) (any, error) {
	var x struct {
		Attrs []struct{ Name, Value string } `xml:"GetQueueAttributesResult>Attribute"`
	}
	if err := a.query(ctx, "GetQueueAttributes", url.Values{"QueueUrl": {req.QueueUrl}}, &x); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for _, at := range x.Attrs {
		attrs[at.Name] = at.Value
	}
	all, _ := strconv.Atoi(attrs["ApproximateNumberOfMessages"])
	hidden, _ := strconv.Atoi(attrs["ApproximateNumberOfMessagesNotVisible"])
	attrs["ApproximateNumberOfMessages"] = strconv.Itoa(all - hidden)
	attrs["ApproximateNumberOfMessagesDelayed"] = "0"
	want := func(name string) bool {
		return len(req.AttributeNames) == 0 || slices.Contains(req.AttributeNames, "All") || slices.Contains(req.AttributeNames, name)
	}
	out := map[string]string{}
	for name, v := range attrs {
		if want(name) {
			out[name] = v
		}
	}
	return map[string]any{"Attributes": out}, nil
}

type sendResult struct {
	MessageId        string `xml:"SendMessageResult>MessageId"`
	MD5OfMessageBody string `xml:"SendMessageResult>MD5OfMessageBody"`
}

func (a *Adapter) sendMessage(ctx context.Context, queueURL, body string, delay *int32) (*sendResult, error) {
	form := url.Values{"QueueUrl": {queueURL}, "MessageBody": {body}}
	if delay != nil {
		form.Set("DelaySeconds", strconv.Itoa(int(*delay)))
	}
	var x sendResult
	if err := a.query(ctx, "SendMessage", form, &x); err != nil {
		return nil, err
	}
	return &x, nil
}

func (a *Adapter) sendMessageBatch(ctx context.Context, req *request) (any, error) {
	if err := checkBatch(req.Entries); err != nil {
		return nil, err
	}
	type ok struct{ Id, MessageId, MD5OfMessageBody string }
	successful, failed := []ok{}, []batchFailure{}
	for _, e := range req.Entries {
		res, err := a.sendMessage(ctx, req.QueueUrl, e.MessageBody, e.DelaySeconds)
		var ae *apiError
		switch {
		case err == nil:
			successful = append(successful, ok{e.Id, res.MessageId, res.MD5OfMessageBody})
		case errors.As(err, &ae) && ae.typ != "QueueDoesNotExist":
			failed = append(failed, batchFailure{Id: e.Id, Code: ae.typ, Message: ae.message, SenderFault: true})
		default:
			return nil, err // the request fails as a whole
		}
	}
	return map[string]any{"Successful": successful, "Failed": failed}, nil
}

// batch runs one single-entry operation per entry.
func (a *Adapter) batch(entries []entry, do func(entry) error) (any, error) {
	if err := checkBatch(entries); err != nil {
		return nil, err
	}
	type ok struct{ Id string }
	successful, failed := []ok{}, []batchFailure{}
	for _, e := range entries {
		err := do(e)
		var ae *apiError
		switch {
		case err == nil:
			successful = append(successful, ok{e.Id})
		case errors.As(err, &ae) && ae.typ != "QueueDoesNotExist":
			failed = append(failed, batchFailure{Id: e.Id, Code: ae.typ, Message: ae.message, SenderFault: true})
		default:
			return nil, err
		}
	}
	return map[string]any{"Successful": successful, "Failed": failed}, nil
}

func checkBatch(entries []entry) error {
	switch {
	case len(entries) == 0:
		return &apiError{status: 400, typ: "EmptyBatchRequest", message: "the batch has no entries"}
	case len(entries) > 10:
		return &apiError{status: 400, typ: "TooManyEntriesInBatchRequest", message: "at most 10 entries"}
	}
	return nil
}

func (a *Adapter) receiveMessage(ctx context.Context, req *request) (any, error) {
	form := url.Values{"QueueUrl": {req.QueueUrl}}
	if req.MaxNumberOfMessages != nil {
		form.Set("MaxNumberOfMessages", strconv.Itoa(int(*req.MaxNumberOfMessages)))
	}
	if req.WaitTimeSeconds != nil {
		form.Set("WaitTimeSeconds", strconv.Itoa(int(*req.WaitTimeSeconds)))
	}
	var x struct {
		Messages []struct {
			MessageId, ReceiptHandle, MD5OfBody, Body string
			Attrs                                     []struct{ Name, Value string } `xml:"Attribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if err := a.query(ctx, "ReceiveMessage", form, &x); err != nil {
		return nil, err
	}
	names := append(slices.Clone(req.AttributeNames), req.MessageSystemAttributeNames...)
	want := func(name string) bool { return slices.Contains(names, "All") || slices.Contains(names, name) }
	type message struct {
		MessageId, ReceiptHandle, MD5OfBody, Body string
		Attributes                                map[string]string `json:",omitempty"`
	}
	out := []message{}
	for _, m := range x.Messages {
		if req.VisibilityTimeout != nil {
			if err := a.changeVisibility(ctx, req.QueueUrl, m.ReceiptHandle, req.VisibilityTimeout); err != nil {
				return nil, fmt.Errorf("set the visibility timeout of a received message: %w", err)
			}
		}
		a.mu.Lock()
		a.receives[m.MessageId]++
		count := a.receives[m.MessageId]
		a.mu.Unlock()
		attrs := map[string]string{}
		for _, at := range m.Attrs {
			if want(at.Name) {
				attrs[at.Name] = at.Value
			}
		}
		if want("ApproximateReceiveCount") {
			attrs["ApproximateReceiveCount"] = strconv.Itoa(count)
		}
		out = append(out, message{m.MessageId, m.ReceiptHandle, m.MD5OfBody, m.Body, attrs})
	}
	return map[string]any{"Messages": out}, nil
}

func (a *Adapter) deleteMessage(ctx context.Context, queueURL, handle string) error {
	if err := a.query(ctx, "DeleteMessage", url.Values{"QueueUrl": {queueURL}, "ReceiptHandle": {handle}}, nil); err != nil {
		return err
	}
	// goaws's receipt handles are "<MessageId>#<uuid>".
	if id, _, ok := strings.Cut(handle, "#"); ok {
		a.mu.Lock()
		delete(a.receives, id)
		a.mu.Unlock()
	}
	return nil
}

func (a *Adapter) changeVisibility(ctx context.Context, queueURL, handle string, seconds *int32) error {
	if seconds == nil {
		return &apiError{status: 400, typ: "MissingParameter", message: "VisibilityTimeout is required"}
	}
	return a.query(ctx, "ChangeMessageVisibility", url.Values{"QueueUrl": {queueURL}, "ReceiptHandle": {handle},
		"VisibilityTimeout": {strconv.Itoa(int(*seconds))}}, nil)
}
