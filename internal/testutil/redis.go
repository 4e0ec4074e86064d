package testutil

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// redisStartTimeout bounds how long a throwaway redis-server may take to answer PING. It is a
// setup limit, not an assertion: a loaded CI machine may be slow, so it is generous.
const redisStartTimeout = 30 * time.Second

// Redis returns the address of a Redis server for the test: REDIS_ADDR when set, else a
// throwaway redis-server started on a free loopback port in tb.TempDir() and stopped at
// cleanup. Tests share a REDIS_ADDR server, so they must prefix their keys with KeyPrefix.
// If redis-server is missing the test fails with the install hint.
func Redis(tb testing.TB) string {
	tb.Helper()
	if addr := os.Getenv("REDIS_ADDR"); addr != "" {
		return addr
	}
	return StartRedisServer(tb).Addr()
}

// RedisServer is a throwaway redis-server that a test can stop and start again on the same port
// and with the same data directory, for recovery tests. It persists with an append-only file, so
// data written before Stop is there again after Start (Stop is a clean SIGTERM shutdown, which
// flushes the file; Kill is a crash and may lose the last second).
type RedisServer struct {
	tb   testing.TB
	bin  string
	dir  string
	port int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been waited for
}

// StartRedisServer starts a throwaway redis-server on a free loopback port and registers its
// shutdown with tb.Cleanup.
func StartRedisServer(tb testing.TB) *RedisServer {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found (%v): install it with `apt-get install redis-server` (`make test-deps` does it), or set REDIS_ADDR", err)
	}
	s := &RedisServer{tb: tb, bin: bin, dir: tb.TempDir()}
	tb.Cleanup(s.Stop)
	// Picking a free port and binding it later races with other processes; retry a few times.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redis-server: pick a port: %v", err)
		}
		s.port = port
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("redis-server: %v", lastErr)
	return nil
}

// Addr is the server's host:port.
func (s *RedisServer) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// Start starts the server again after Stop or Kill, on the same port and data directory.
func (s *RedisServer) Start() {
	s.tb.Helper()
	var err error
	// The port was ours a moment ago; another process may grab it in between, so retry briefly.
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.tb.Fatalf("redis-server restart: %v", err)
}

// Stop shuts the server down cleanly (SIGTERM, which flushes the append-only file) and waits
// for it to exit. Stopping a stopped server does nothing.
func (s *RedisServer) Stop() { s.signal(syscall.SIGTERM) }

// Kill stops the server abruptly (SIGKILL), like a crash, and waits for it to exit.
func (s *RedisServer) Kill() { s.signal(syscall.SIGKILL) }

func (s *RedisServer) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(redisStartTimeout):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (s *RedisServer) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	logPath := filepath.Join(s.dir, "redis.log")
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--logfile", logPath,
		"--daemonize", "no",
		"--save", "",
		"--appendonly", "yes",
		"--appendfsync", "everysec",
		"--protected-mode", "no",
	)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	deadline := time.Now().Add(redisStartTimeout)
	for {
		if ping(s.Addr()) == nil {
			s.cmd, s.done = cmd, done
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server exited on port %d: %s", s.port, tail(logPath))
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server on port %d did not answer PING: %s", s.port, tail(logPath))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping speaks just enough RESP to check that the server answers.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	// A server still loading its append-only file answers -LOADING; it is not ready yet.
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("ping: %q", strings.TrimSpace(line))
	}
	return nil
}

// freePort picks a free loopback port below Linux's ephemeral range (32768–60999 by default),
// so that no outgoing connection is handed the port while the server is down between Stop and
// Start, or before it first binds.
func freePort() (int, error) {
	var lastErr error
	for range 200 {
		port := 20000 + mrand.IntN(12000)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			lastErr = err
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free loopback port in 20000-31999: %w", lastErr)
}

func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// KeyPrefix returns a key prefix unique to this test run, "test:<name>:<random>:", so tests can
// share one Redis without seeing each other's keys.
func KeyPrefix(tb testing.TB) string {
	tb.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("key prefix: %v", err)
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		default:
			return '_'
		}
	}, tb.Name())
	// Redis Cluster hashes only the part inside {…} when present; a hash tag keeps one test's
	// keys on one slot so multi-key scripts work there too.
	return "test:{" + name + ":" + hex.EncodeToString(b[:]) + "}:"
}
