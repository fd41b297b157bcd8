package status_test

import (
	"os"
	"time"

	"github.com/londonaicentre/flip-hub/internal/status"
)

func ExampleReport_WriteTable() {
	rep := status.Report{Stack: "stag", Results: []status.Result{
		{Name: "instance", OK: true, Detail: "i-0abc (t3.large) running; SSM agent Online", Duration: 212 * time.Millisecond},
		{Name: "drift", OK: true, Skipped: true, Detail: "skipped with --skip drift"},
		{Name: "https /api/health", Detail: "GET https://stag.example/api/health answered 502 Bad Gateway; want 200",
			Fix: "check the containers check and the ALB target group health", Duration: 1400 * time.Millisecond},
	}}
	_ = rep.WriteTable(os.Stdout)
	// Output:
	// CHECK              RESULT  TIME   DETAIL
	// instance           ok      212ms  i-0abc (t3.large) running; SSM agent Online
	// drift              skip    -      skipped with --skip drift
	// https /api/health  FAIL    1.4s   GET https://stag.example/api/health answered 502 Bad Gateway; want 200
	//
	// hub stag: 1 ok, 1 failed, 1 skipped
	//
	// What to do:
	//   https /api/health: check the containers check and the ALB target group health
}
