package ai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// toolName is the function/tool the model is forced to call with its assessment.
const toolName = "submit_assessment"

// Limits of an answer; the schema and the validator state the same numbers.
const (
	maxSummary         = 4000
	maxFamily          = 100
	maxTechniques      = 50
	maxIOCs            = 100
	maxIOCValue        = 2048
	maxRecommendations = 20
	maxRecommendation  = 500
)

// ErrInvalidOutput wraps an answer that does not match the assessment schema.
var ErrInvalidOutput = errors.New("answer does not match the assessment schema")

// iocTypeNames are the schema's IOC type names; IOC_TYPE_<NAME> is the report enum.
var iocTypeNames = []string{"url", "domain", "ipv4", "ipv6", "email", "md5", "sha1", "sha256",
	"btc_address", "eth_address", "xmr_address", "file_path", "registry_key", "user_agent", "command"}

// iocTypeOf returns the enum for a schema IOC type name.
func iocTypeOf(name string) (analysisv1.IOCType, bool) {
	v, ok := analysisv1.IOCType_value["IOC_TYPE_"+strings.ToUpper(name)]
	return analysisv1.IOCType(v), ok && v != 0
}

// iocTypeName returns the schema name of an IOC type.
func iocTypeName(t analysisv1.IOCType) string {
	return strings.ToLower(strings.TrimPrefix(t.String(), "IOC_TYPE_"))
}

// techniqueRE is the shape of an ATT&CK technique or sub-technique id.
var techniqueRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// assessmentSchema is the JSON Schema sent to providers. It is written in the subset that
// OpenAI's strict mode accepts (every property required, no additional properties).
func assessmentSchema() map[string]any {
	// Lengths are stated in descriptions, not maxLength, which strict modes reject; the
	// validator enforces them.
	str := func(desc string, maxLen int) map[string]any {
		return map[string]any{"type": "string", "description": fmt.Sprintf("%s (at most %d characters)", desc, maxLen)}
	}
	return map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"required":             []string{"verdict", "confidence", "malware_family", "summary", "attack_techniques", "iocs", "recommendations"},
		"properties": map[string]any{
			"verdict":        map[string]any{"type": "string", "enum": []string{"clean", "suspicious", "malicious"}, "description": "overall verdict"},
			"confidence":     map[string]any{"type": "number", "minimum": 0, "maximum": 1, "description": "confidence in the verdict, 0 to 1"},
			"malware_family": str("malware family name, or an empty string when unknown", maxFamily),
			"summary":        str("the written assessment, grounded in the evidence given", maxSummary),
			"attack_techniques": map[string]any{
				"type": "array", "maxItems": maxTechniques, "description": "MITRE ATT&CK technique ids such as T1059.001",
				"items": map[string]any{"type": "string", "pattern": techniqueRE.String()},
			},
			"iocs": map[string]any{
				"type": "array", "maxItems": maxIOCs, "description": "indicators of compromise present in the evidence",
				"items": map[string]any{
					"type": "object", "additionalProperties": false, "required": []string{"type", "value"},
					"properties": map[string]any{
						"type":  map[string]any{"type": "string", "enum": iocTypeNames},
						"value": str("the indicator, refanged", maxIOCValue),
					},
				},
			},
			"recommendations": map[string]any{
				"type": "array", "maxItems": maxRecommendations, "description": "suggested actions for the analyst",
				"items": str("one action", maxRecommendation),
			},
		},
	}
}

// answer is the decoded JSON object a provider returns. Pointers tell missing from zero.
type answer struct {
	Verdict          *string   `json:"verdict"`
	Confidence       *float64  `json:"confidence"`
	MalwareFamily    *string   `json:"malware_family"`
	Summary          *string   `json:"summary"`
	AttackTechniques *[]string `json:"attack_techniques"`
	IOCs             *[]struct {
		Type  *string `json:"type"`
		Value *string `json:"value"`
	} `json:"iocs"`
	Recommendations *[]string `json:"recommendations"`
}

// parseAnswer decodes and validates one answer against the schema. It never guesses: the input
// must be exactly one JSON object with the schema's fields.
func parseAnswer(raw []byte) (*analysisv1.AIAssessment, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: empty answer", ErrInvalidOutput)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var a answer
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOutput, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrInvalidOutput)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	out := &analysisv1.AIAssessment{}
	switch {
	case a.Verdict == nil:
		bad("verdict is required")
	default:
		v, ok := analysisv1.Verdict_value["VERDICT_"+strings.ToUpper(*a.Verdict)]
		if !ok || v == 0 {
			bad("verdict %q is not one of clean, suspicious, malicious", *a.Verdict)
		}
		out.Verdict = analysisv1.Verdict(v)
	}
	switch {
	case a.Confidence == nil:
		bad("confidence is required")
	case *a.Confidence < 0 || *a.Confidence > 1:
		bad("confidence %v is outside 0..1", *a.Confidence)
	default:
		out.Confidence = *a.Confidence
	}
	if a.MalwareFamily == nil {
		bad("malware_family is required (empty string when unknown)")
	} else if err := checkString("malware_family", *a.MalwareFamily, maxFamily); err != "" {
		bad("%s", err)
	} else {
		out.MalwareFamily = *a.MalwareFamily
	}
	if a.Summary == nil || strings.TrimSpace(*a.Summary) == "" {
		bad("summary is required and must not be empty")
	} else if err := checkString("summary", *a.Summary, maxSummary); err != "" {
		bad("%s", err)
	} else {
		out.Summary = *a.Summary
	}
	if a.AttackTechniques == nil {
		bad("attack_techniques is required (may be empty)")
	} else {
		if len(*a.AttackTechniques) > maxTechniques {
			bad("attack_techniques has %d items, at most %d", len(*a.AttackTechniques), maxTechniques)
		}
		for i, t := range *a.AttackTechniques {
			if !techniqueRE.MatchString(t) {
				bad("attack_techniques[%d] %q is not an ATT&CK id like T1059 or T1059.001", i, t)
				continue
			}
			out.AttackTechniques = append(out.AttackTechniques, t)
		}
	}
	if a.IOCs == nil {
		bad("iocs is required (may be empty)")
	} else {
		if len(*a.IOCs) > maxIOCs {
			bad("iocs has %d items, at most %d", len(*a.IOCs), maxIOCs)
		}
		for i, ioc := range *a.IOCs {
			if ioc.Type == nil || ioc.Value == nil {
				bad("iocs[%d] needs type and value", i)
				continue
			}
			t, ok := iocTypeOf(*ioc.Type)
			if !ok {
				bad("iocs[%d].type %q is not one of %s", i, *ioc.Type, strings.Join(iocTypeNames, ", "))
				continue
			}
			if strings.TrimSpace(*ioc.Value) == "" {
				bad("iocs[%d].value is empty", i)
				continue
			}
			if err := checkString(fmt.Sprintf("iocs[%d].value", i), *ioc.Value, maxIOCValue); err != "" {
				bad("%s", err)
				continue
			}
			out.Iocs = append(out.Iocs, &analysisv1.AIIOC{Type: t, Value: strings.TrimSpace(*ioc.Value)})
		}
	}
	if a.Recommendations == nil {
		bad("recommendations is required (may be empty)")
	} else {
		if len(*a.Recommendations) > maxRecommendations {
			bad("recommendations has %d items, at most %d", len(*a.Recommendations), maxRecommendations)
		}
		for i, r := range *a.Recommendations {
			if err := checkString(fmt.Sprintf("recommendations[%d]", i), r, maxRecommendation); err != "" {
				bad("%s", err)
				continue
			}
			out.Recommendations = append(out.Recommendations, r)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidOutput, strings.Join(problems, "; "))
	}
	return out, nil
}

// checkString returns a problem with s, or "".
func checkString(field, s string, maxLen int) string {
	if !utf8.ValidString(s) {
		return field + " is not valid UTF-8"
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return fmt.Sprintf("%s has %d characters, at most %d", field, n, maxLen)
	}
	return ""
}

// assessmentJSON renders an assessment in the answer shape, for prompts of later providers.
func assessmentJSON(a *analysisv1.AIAssessment) string {
	type ioc struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	view := struct {
		Provider         string   `json:"provider"`
		Verdict          string   `json:"verdict"`
		Confidence       float64  `json:"confidence"`
		MalwareFamily    string   `json:"malware_family"`
		Summary          string   `json:"summary"`
		AttackTechniques []string `json:"attack_techniques"`
		IOCs             []ioc    `json:"iocs"`
	}{
		Provider: a.GetProvider(), Verdict: verdictName(a.GetVerdict()), Confidence: a.GetConfidence(),
		MalwareFamily: a.GetMalwareFamily(), Summary: a.GetSummary(), AttackTechniques: a.GetAttackTechniques(),
	}
	for _, i := range a.GetIocs() {
		view.IOCs = append(view.IOCs, ioc{Type: iocTypeName(i.GetType()), Value: i.GetValue()})
	}
	b, err := json.Marshal(view)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// verdictName is the schema spelling of a verdict.
func verdictName(v analysisv1.Verdict) string {
	return strings.ToLower(strings.TrimPrefix(v.String(), "VERDICT_"))
}
