package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	openaioption "github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// ErrRefused is returned when a model declines to answer.
var ErrRefused = errors.New("model refused")

// completion is one raw answer of a provider.
type completion struct {
	// text is the structured answer: the tool input or the JSON message.
	text string
	// inputTokens and outputTokens are the provider's usage counts.
	inputTokens, outputTokens int64
	// model is the model id the provider says answered.
	model string
}

// client sends one conversation to a provider. Implementations make exactly one HTTP request:
// retries, breakers and limits are the engine's.
type client interface {
	complete(ctx context.Context, system string, turns []turn, maxTokens int64) (completion, error)
}

// apiError is an HTTP error answer, reduced to what retry decisions need.
type apiError struct {
	// status is the HTTP status code.
	status int
	// retryAfter is the server's requested wait, zero when absent.
	retryAfter time.Duration
	// err is the SDK's error.
	err error
}

func (e *apiError) Error() string { return fmt.Sprintf("http %d: %v", e.status, e.err) }
func (e *apiError) Unwrap() error { return e.err }

// retryAfter reads retry-after-ms (sent by OpenAI and Anthropic) or Retry-After (seconds or an
// HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	// A day is far beyond any wait the engine honours; clamping first keeps huge or infinite
	// values from overflowing the Duration conversion.
	const day = 24 * time.Hour
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return time.Duration(min(ms, float64(day/time.Millisecond)) * float64(time.Millisecond))
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
		return time.Duration(min(secs, float64(day/time.Second)) * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// anthropicClient calls the Messages API with a forced tool, so the answer arrives as a
// tool_use block whose input is the assessment.
type anthropicClient struct {
	sdk   anthropic.Client
	model string
}

func newAnthropicClient(p ProviderConfig, httpClient *http.Client) *anthropicClient {
	sdk := anthropic.NewClient(
		// Configuration comes from Config only, never from the SDK's own environment lookups.
		anthropicoption.WithoutEnvironmentDefaults(),
		anthropicoption.WithAPIKey(p.APIKey),
		anthropicoption.WithBaseURL(p.BaseURL),
		anthropicoption.WithHTTPClient(httpClient),
		// The engine retries with its own backoff, breaker and budget; the SDK must not.
		anthropicoption.WithMaxRetries(0),
	)
	return &anthropicClient{sdk: sdk, model: p.Model}
}

func (c *anthropicClient) complete(ctx context.Context, system string, turns []turn, maxTokens int64) (completion, error) {
	msgs := make([]anthropic.MessageParam, 0, len(turns))
	for _, t := range turns {
		block := anthropic.NewTextBlock(t.text)
		if t.role == "assistant" {
			msgs = append(msgs, anthropic.NewAssistantMessage(block))
		} else {
			msgs = append(msgs, anthropic.NewUserMessage(block))
		}
	}
	schema := assessmentSchema()
	params := anthropic.MessageNewParams{
		Model:     c.model,
		MaxTokens: maxTokens,
		System:    []anthropic.TextBlockParam{{Text: system}},
		Messages:  msgs,
		Tools: []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        toolName,
			Description: anthropic.String("Submit the structured assessment of the sample."),
			InputSchema: anthropic.ToolInputSchemaParam{
				Properties:  schema["properties"],
				Required:    schema["required"].([]string),
				ExtraFields: map[string]any{"additionalProperties": false},
			},
		}}},
		ToolChoice: anthropic.ToolChoiceParamOfTool(toolName),
	}
	var resp *http.Response
	msg, err := c.sdk.Messages.New(ctx, params, anthropicoption.WithResponseInto(&resp))
	if err != nil {
		var apiErr *anthropic.Error
		if errors.As(err, &apiErr) {
			return completion{}, &apiError{status: apiErr.StatusCode, retryAfter: retryAfter(headerOf(apiErr.Response), time.Now()), err: err}
		}
		return completion{}, fmt.Errorf("anthropic messages: %w", err)
	}
	out := completion{inputTokens: msg.Usage.InputTokens, outputTokens: msg.Usage.OutputTokens, model: msg.Model}
	if msg.StopReason == anthropic.StopReasonRefusal {
		return out, fmt.Errorf("%w: stop_reason refusal", ErrRefused)
	}
	for _, block := range msg.Content {
		if block.Type == "tool_use" && block.Name == toolName {
			out.text = string(block.Input)
			return out, nil
		}
	}
	// No tool call: the answer is invalid, and the text is quoted back for the one retry.
	var text strings.Builder
	for _, block := range msg.Content {
		if block.Type == "text" {
			text.WriteString(block.Text)
		}
	}
	return out, fmt.Errorf("%w: no %s tool_use block (stop_reason %s): %q", ErrInvalidOutput, toolName, msg.StopReason, clean(text.String(), 200))
}

// openAIClient calls chat completions (OpenAI, DeepSeek, OpenAI-compatible servers) with the
// configured structured-output mode.
type openAIClient struct {
	sdk   openai.Client
	model string
	mode  string
}

func newOpenAIClient(p ProviderConfig, httpClient *http.Client) *openAIClient {
	opts := []openaioption.RequestOption{
		openaioption.WithBaseURL(p.BaseURL),
		openaioption.WithHTTPClient(httpClient),
		openaioption.WithMaxRetries(0),
		// openai.NewClient reads OPENAI_* variables; the organisation and project headers must
		// not follow the request to DeepSeek or a local server.
		openaioption.WithHeaderDel("OpenAI-Organization"),
		openaioption.WithHeaderDel("OpenAI-Project"),
	}
	// Local servers need no key; the SDK still sends the header, so send a placeholder rather
	// than whatever OPENAI_API_KEY holds.
	key := p.APIKey
	if key == "" {
		key = "none"
	}
	opts = append(opts, openaioption.WithAPIKey(key))
	return &openAIClient{sdk: openai.NewClient(opts...), model: p.Model, mode: p.OutputMode}
}

func (c *openAIClient) complete(ctx context.Context, system string, turns []turn, maxTokens int64) (completion, error) {
	if c.mode == OutputJSONObject {
		system += jsonModeInstruction()
	}
	msgs := []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(system)}
	for _, t := range turns {
		if t.role == "assistant" {
			msgs = append(msgs, openai.AssistantMessage(t.text))
		} else {
			msgs = append(msgs, openai.UserMessage(t.text))
		}
	}
	params := openai.ChatCompletionNewParams{
		Model:               c.model,
		Messages:            msgs,
		MaxCompletionTokens: openai.Int(maxTokens),
	}
	switch c.mode {
	case OutputTools:
		params.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:        toolName,
			Description: openai.String("Submit the structured assessment of the sample."),
			Parameters:  shared.FunctionParameters(assessmentSchema()),
			Strict:      openai.Bool(true),
		})}
		params.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: toolName})
	case OutputJSONObject:
		params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
	default:
		params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
				Name:   "assessment",
				Strict: openai.Bool(true),
				Schema: assessmentSchema(),
			},
		}}
	}
	resp, err := c.sdk.Chat.Completions.New(ctx, params)
	if err != nil {
		var apiErr *openai.Error
		if errors.As(err, &apiErr) {
			return completion{}, &apiError{status: apiErr.StatusCode, retryAfter: retryAfter(headerOf(apiErr.Response), time.Now()), err: err}
		}
		return completion{}, fmt.Errorf("chat completions: %w", err)
	}
	out := completion{inputTokens: resp.Usage.PromptTokens, outputTokens: resp.Usage.CompletionTokens, model: resp.Model}
	if len(resp.Choices) == 0 {
		return out, fmt.Errorf("%w: no choices", ErrInvalidOutput)
	}
	choice := resp.Choices[0]
	if choice.Message.Refusal != "" {
		return out, fmt.Errorf("%w: %s", ErrRefused, clean(choice.Message.Refusal, 200))
	}
	if c.mode == OutputTools {
		for _, call := range choice.Message.ToolCalls {
			if call.Function.Name == toolName {
				out.text = call.Function.Arguments
				return out, nil
			}
		}
		return out, fmt.Errorf("%w: no %s tool call (finish_reason %s)", ErrInvalidOutput, toolName, choice.FinishReason)
	}
	if choice.FinishReason == "content_filter" {
		return out, fmt.Errorf("%w: finish_reason content_filter", ErrRefused)
	}
	out.text = choice.Message.Content
	return out, nil
}

func headerOf(r *http.Response) http.Header {
	if r == nil {
		return nil
	}
	return r.Header
}
