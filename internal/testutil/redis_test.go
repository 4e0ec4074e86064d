package testutil

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// do sends one inline command and returns the first reply line.
func do(t *testing.T, addr, cmd string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "%s\r\n", cmd)
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
		line, _ = r.ReadString('\n')
	}
	return strings.TrimSpace(line)
}

func TestRedisServerStopStartKeepsData(t *testing.T) {
	s := StartRedisServer(t)
	addr := s.Addr()
	key := KeyPrefix(t) + "k"
	if got := do(t, addr, "SET "+key+" v1"); got != "+OK" {
		t.Fatalf("SET = %q", got)
	}
	s.Stop()
	if ping(addr) == nil {
		t.Fatalf("server still answers after Stop")
	}
	s.Stop() // idempotent
	s.Start()
	if s.Addr() != addr {
		t.Fatalf("address changed: %s → %s", addr, s.Addr())
	}
	if got := do(t, addr, "GET "+key); got != "v1" {
		t.Fatalf("GET after restart = %q, want v1", got)
	}
}

func TestRedisUsesEnv(t *testing.T) {
	t.Setenv("REDIS_ADDR", "10.0.0.1:1234")
	if got := Redis(t); got != "10.0.0.1:1234" {
		t.Fatalf("Redis() = %q", got)
	}
}

func TestKeyPrefixUnique(t *testing.T) {
	a, b := KeyPrefix(t), KeyPrefix(t)
	if a == b || !strings.HasPrefix(a, "test:{TestKeyPrefixUnique:") || !strings.HasSuffix(a, "}:") {
		t.Fatalf("prefixes %q %q", a, b)
	}
}
