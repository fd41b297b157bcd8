package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// moto is the moto_server shared by this package's tests; motoErr is why it is missing.
var (
	moto    *testmoto.Server
	motoErr error
)

func TestMain(m *testing.M) {
	var stop func()
	moto, stop, motoErr = testmoto.StartMain()
	defer stop()
	m.Run()
}

// stopInstance stops an instance in moto, which then reports it ConnectionLost through the proxy.
func stopInstance(t *testing.T, srv *testmoto.Server, id string) {
	t.Helper()
	if _, err := ec2.NewFromConfig(srv.AWSConfig()).StopInstances(context.Background(), &ec2.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("moto StopInstances: %v", err)
	}
}
