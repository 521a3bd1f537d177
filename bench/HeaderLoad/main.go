// headerload: bench/run.sh's second keep-alive client for targets whose requests must carry headers (a bearer
// token), which mtls-loadgen cannot send. Go's net/http over crypto/tls (standard library only), HTTP/1.1:
// -c connections, each doing sequential GETs with the headers of -header-file for -warmup + -d; prints the same
// RESULT line as mtls-loadgen's keepalive mode, which mtls-load's `external` scenario reads.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	addr       = flag.String("addr", "127.0.0.1:8443", "host:port to connect to")
	sni        = flag.String("sni", "localhost", "TLS server name (SNI) and Host header")
	path       = flag.String("path", "/", "request path")
	conns      = flag.Int("c", 16, "keep-alive connections, one request in flight each")
	dur        = flag.Duration("d", 10*time.Second, "measured duration")
	warmup     = flag.Duration("warmup", 2*time.Second, "warm-up before measuring (not counted)")
	caFile     = flag.String("ca", "", "PEM file of the CA that verifies the server")
	certFile   = flag.String("cert", "", "client certificate PEM (leaf first, then intermediates)")
	keyFile    = flag.String("key", "", "client private key PEM")
	headerFile = flag.String("header-file", "", "headers sent with every request, one 'Name: value' a line")
)

func main() {
	flag.Parse()
	transport, headers, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "headerload:", err)
		os.Exit(2)
	}
	// The run always ends by itself, whatever the server does.
	time.AfterFunc(*warmup+*dur+15*time.Second, func() {
		fmt.Fprintln(os.Stderr, "headerload: watchdog expired, exiting")
		os.Exit(3)
	})
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	url := "https://" + *sni + *path
	start := time.Now()
	measureFrom, stop := start.Add(*warmup), start.Add(*warmup+*dur)
	var ok, errs atomic.Int64
	latencies := make([][]time.Duration, *conns)
	var wg sync.WaitGroup
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for {
				began := time.Now()
				if !began.Before(stop) {
					return
				}
				good := get(client, url, headers)
				if began.Before(measureFrom) {
					continue
				}
				if good {
					ok.Add(1)
					latencies[i] = append(latencies[i], time.Since(began))
				} else {
					errs.Add(1)
				}
			}
		}(i)
	}
	cpuBefore := cpuSeconds()
	wg.Wait()
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	fmt.Printf("RESULT mode=keepalive conns=%d dur_s=%.2f ok=%d errors=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f mib_s=0 loadgen_cpu=%.2f\n",
		*conns, dur.Seconds(), ok.Load(), errs.Load(), float64(ok.Load())/dur.Seconds(),
		ms(all, 0.50), ms(all, 0.99), ms(all, 1), (cpuSeconds()-cpuBefore)/(warmup.Seconds()+dur.Seconds()))
}

// get sends one request and reads the whole answer: true for a 2xx.
func get(client *http.Client, url string, headers http.Header) bool {
	request, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	request.Header = headers.Clone()
	response, err := client.Do(request)
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, response.Body)
	response.Body.Close()
	return err == nil && response.StatusCode >= 200 && response.StatusCode <= 299
}

func setup() (*http.Transport, http.Header, error) {
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, nil, fmt.Errorf("no certificate in %s", *caFile)
	}
	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		return nil, nil, err
	}
	headers := http.Header{}
	if *headerFile != "" {
		file, err := os.Open(*headerFile)
		if err != nil {
			return nil, nil, err
		}
		defer file.Close()
		lines := bufio.NewScanner(file)
		lines.Buffer(make([]byte, 64*1024), 1024*1024)
		for lines.Scan() {
			if name, value, found := strings.Cut(lines.Text(), ":"); found {
				headers.Add(strings.TrimSpace(name), strings.TrimSpace(value))
			}
		}
	}
	target := *addr
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{ServerName: *sni, RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   false,
		MaxConnsPerHost:     *conns,
		MaxIdleConnsPerHost: *conns,
		DisableCompression:  true,
		// Every connection goes to -addr, whatever the URL's host (which gives SNI and Host).
		DialContext: dialer(target),
	}
	return transport, headers, nil
}

func ms(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}
