package testmoto

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// moto 5.x implements SSM's SendCommand and GetCommandInvocation (every invocation reports
// Success at once, without running anything) but not DescribeInstanceInformation, which every
// SSM runner calls first to wait for the agent. SSMProxy fills that gap; see
// ssmrun/moto_test.go for the behaviour it is built on.

// SSMProxy starts, on 127.0.0.1, a proxy in front of the moto_server at motoURL that answers
// DescribeInstanceInformation from moto's own EC2 state (running: PingStatus Online; stopping or
// stopped: ConnectionLost; otherwise not listed) and forwards every other request to moto
// unchanged. It returns the proxy's URL, an SSM endpoint; the proxy stops when tb's cleanup runs.
func SSMProxy(tb testing.TB, motoURL string) string {
	tb.Helper()
	ec2c := ec2.NewFromConfig(AWSConfig(motoURL))
	return ssmProxy(tb, motoURL, func(ctx context.Context, ids []string) ([]map[string]any, error) {
		return instanceInformation(ctx, ec2c, ids)
	})
}

// SSMProxyAllOnline is SSMProxy for tests whose instances exist outside moto (the engine suite's
// hub host lives only in its test provider): every instance asked about is Online.
func SSMProxyAllOnline(tb testing.TB, motoURL string) string {
	tb.Helper()
	return ssmProxy(tb, motoURL, func(_ context.Context, ids []string) ([]map[string]any, error) {
		list := []map[string]any{}
		for _, id := range ids {
			list = append(list, online(id, "Online"))
		}
		return list, nil
	})
}

func ssmProxy(tb testing.TB, motoURL string, list func(context.Context, []string) ([]map[string]any, error)) string {
	tb.Helper()
	target, err := url.Parse(motoURL)
	if err != nil {
		tb.Fatalf("testmoto: parse moto url: %v", err)
	}
	if err := checkLoopback(target.Host); err != nil {
		tb.Fatalf("testmoto: %v", err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	forward.Transport = &http.Transport{Proxy: nil, DialContext: dialLoopback}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "AmazonSSM.DescribeInstanceInformation" {
			forward.ServeHTTP(w, r)
			return
		}
		ids, err := requestedInstances(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		found, err := list(r.Context(), ids)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"InstanceInformationList": found})
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testmoto: listen on loopback: %v", err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: handler}}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv.URL
}

// requestedInstances reads the InstanceIds filter of a DescribeInstanceInformation request body.
func requestedInstances(body io.Reader) ([]string, error) {
	var in struct {
		Filters []struct {
			Key    string
			Values []string
		}
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	var ids []string
	for _, f := range in.Filters {
		if f.Key == "InstanceIds" {
			ids = append(ids, f.Values...)
		}
	}
	return ids, nil
}

func online(id, status string) map[string]any {
	return map[string]any{"InstanceId": id, "PingStatus": status, "PlatformType": "Linux", "ResourceType": "EC2Instance"}
}

// instanceInformation answers one DescribeInstanceInformation request body from moto's EC2 state.
func instanceInformation(ctx context.Context, ec2c *ec2.Client, ids []string) ([]map[string]any, error) {
	list := []map[string]any{}
	if len(ids) == 0 {
		return list, nil
	}
	out, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidInstanceID.NotFound":
		return list, nil
	case err != nil:
		return nil, err
	}
	for _, res := range out.Reservations {
		for _, inst := range res.Instances {
			if status := pingStatus(inst.State); status != "" {
				list = append(list, online(aws.ToString(inst.InstanceId), status))
			}
		}
	}
	return list, nil
}

// pingStatus is the PingStatus SSM would report for an instance in state s, "" for not listed.
func pingStatus(s *ec2types.InstanceState) string {
	if s == nil {
		return ""
	}
	switch s.Name {
	case ec2types.InstanceStateNameRunning:
		return "Online"
	case ec2types.InstanceStateNameStopping, ec2types.InstanceStateNameStopped:
		return "ConnectionLost"
	default:
		return ""
	}
}

// LaunchInstance starts one EC2 instance in the moto_server at motoURL, from the first image
// moto lists, and returns its ID.
func LaunchInstance(tb testing.TB, motoURL string) string {
	tb.Helper()
	ctx := context.Background()
	ec2c := ec2.NewFromConfig(AWSConfig(motoURL))
	images, err := ec2c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	if err != nil || len(images.Images) == 0 {
		tb.Fatalf("testmoto: moto DescribeImages: %v, %v", images, err)
	}
	out, err := ec2c.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId:      images.Images[0].ImageId,
		InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount:     aws.Int32(1),
		MaxCount:     aws.Int32(1),
	})
	if err != nil {
		tb.Fatalf("testmoto: moto RunInstances: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}
