package bus_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/heraldhq/herald/internal/bus"
)

// privateCA is a certificate authority of the test's own, and a server certificate for
// 127.0.0.1 that it signed.
func privateCA(t *testing.T) (caPEM []byte, serverCert tls.Certificate) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, srvKey := key(), key()
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "herald test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "nats"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
}

// TestConnectPrivateCA checks that a NATS server whose certificate a private CA signed
// is reached with that CA given as PEM (as HERALD_NATS_CA_SECRET gives it), and refused
// without it or with a bundle that holds no certificate.
func TestConnectPrivateCA(t *testing.T) {
	caPEM, cert := privateCA(t)
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		TLS: true, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	url := "tls://" + ns.Addr().String()

	nc, err := bus.Connect(bus.Options{URL: url, CA: caPEM, Name: "herald-test"})
	if err != nil {
		t.Fatalf("with the private CA: %v", err)
	}
	if err := nc.Flush(); err != nil {
		t.Errorf("with the private CA, a round trip fails: %v", err)
	}
	nc.Close()

	if nc, err := bus.Connect(bus.Options{URL: url, Name: "herald-test"}); err == nil {
		nc.Close()
		t.Error("with the system roots only, the server's certificate is accepted")
	}
	_, err = bus.Connect(bus.Options{URL: url, CA: []byte("not a certificate"), Name: "herald-test"})
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("with a bundle holding no certificate, error = %v", err)
	}
}

// TestOptionsFromEnvCASecret checks that HERALD_NATS_CA_SECRET is fetched at cold start,
// with the AWS configuration the loader gives: a failure to load it fails the options.
func TestOptionsFromEnvCASecret(t *testing.T) {
	for _, k := range []string{"HERALD_NATS_CREDS_SECRET", "HERALD_NATS_CREDS_FILE", "HERALD_NATS_CA_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("HERALD_NATS_URL", "tls://nats.example.com:4222")
	t.Setenv("HERALD_NATS_CA_SECRET", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nats-ca-AbCdEf")
	loads := 0
	failing := func(context.Context) (aws.Config, error) {
		loads++
		return aws.Config{}, errors.New("no AWS configuration here")
	}
	_, err := bus.OptionsFromEnv(t.Context(), failing, "herald-test")
	if err == nil || !strings.Contains(err.Error(), "no AWS configuration here") || loads != 1 {
		t.Errorf("OptionsFromEnv error = %v after %d loads, want the loader's error after one", err, loads)
	}
}
