package repo

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// dynamoCall matches a call of a DynamoDB client method in Go source: x.PutItem(ctx, …).
var dynamoCall = regexp.MustCompile(`\.(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|BatchGetItem|BatchWriteItem|TransactGetItems|TransactWriteItems|DescribeTable|ConditionCheckItem)\(ctx\b`)

// DynamoDBCalls returns, for each function of dirs (logical id → folder under
// functions/), the dynamodb: IAM actions whose API the code it is built from calls: the
// calls in the non-test files of every package of the module it depends on, as the
// Lambda build lists them. It over-counts (a package's every call, used or not) but never
// misses one, so a template granting more than this grants what no code calls.
func DynamoDBCalls(root, module string, dirs map[string]string) (map[string][]string, error) {
	calls := map[string][]string{}
	perPackage := map[string][]string{}
	for id, dir := range dirs {
		pkgs, err := ListDeps(root, []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}, []string{"lambda.norpc"}, "./functions/"+dir)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, p := range pkgs {
			if p.ImportPath != module && !strings.HasPrefix(p.ImportPath, module+"/") {
				continue
			}
			found, ok := perPackage[p.ImportPath]
			if !ok {
				if found, err = packageDynamoCalls(filepath.Join(root, strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/"))); err != nil {
					return nil, err
				}
				perPackage[p.ImportPath] = found
			}
			for _, a := range found {
				seen[a] = true
			}
		}
		var actions []string
		for a := range seen {
			actions = append(actions, a)
		}
		sort.Strings(actions)
		calls[id] = actions
	}
	return calls, nil
}

// packageDynamoCalls returns the dynamodb: actions called in the non-test Go files of dir.
func packageDynamoCalls(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var actions []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		for _, m := range dynamoCall.FindAllSubmatch(src, -1) {
			actions = append(actions, "dynamodb:"+string(m[1]))
		}
	}
	return actions, nil
}
