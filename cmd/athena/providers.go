package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// runProviders lists the AI providers the gateway knows and their state:
//
//	athena providers [--server 127.0.0.1:9090] [--json]
func runProviders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("providers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "127.0.0.1:9090", "gRPC address of the gateway")
	asJSON := fs.Bool("json", false, "print the ListProviders response as JSON")
	timeout := fs.Duration("timeout", 10*time.Second, "deadline of the call")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: athena providers [--server ADDR] [--json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("providers takes no arguments, got %q", fs.Args())
	}
	conn, err := grpc.NewClient(*server, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dial %s: %w", *server, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	resp, err := analysisv1.NewAnalysisServiceClient(conn).ListProviders(ctx, &analysisv1.ListProvidersRequest{})
	if err != nil {
		return fmt.Errorf("list providers: %w", err)
	}
	if *asJSON {
		b, err := protojson.MarshalOptions{Multiline: true, Indent: "  ", EmitUnpopulated: true}.Marshal(resp)
		if err != nil {
			return fmt.Errorf("encode providers: %w", err)
		}
		_, err = fmt.Fprintln(stdout, string(b))
		return err
	}
	return printProviderTable(stdout, resp.GetProviders())
}

// printProviderTable writes a table of provider states.
func printProviderTable(w io.Writer, ps []*analysisv1.ProviderStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tMODEL\tCONFIGURED\tEXTERNAL\tHEALTHY\tBREAKER\tP50 MS\tERRORS\tCALLS\tSPEND TODAY")
	for _, p := range ps {
		model := p.GetModel()
		if model == "" {
			model = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%.0f%%\t%d\t$%.4f\n",
			p.GetName(), model, providerYesNo(p.GetConfigured()), providerYesNo(p.GetExternal()), providerYesNo(p.GetHealthy()),
			p.GetBreakerState(), p.GetLatencyP50Ms(), p.GetErrorRate()*100, p.GetCalls(), p.GetSpendUsd())
	}
	return tw.Flush()
}

func providerYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
