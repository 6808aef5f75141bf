// Evaluation errors carry jsonata-js's code, position, token, value and message. The table was produced by
// jsonata-js 2.2.2 from the same expressions.
#include <gtest/gtest.h>

#include "test_util.h"

namespace hookd::jsonata {
namespace {

TEST(Errors, MatchJsonataJs) {
  struct Case {
    const char* expr;
    const char* input;
    const char* code;
    size_t position;
    const char* token;
    const char* value;  // JSON of the offending value, or "undefined"
    const char* message;
  } cases[] = {
      {R"~(1 + "a")~", R"~()~", R"~(T2002)~", 3, R"~(+)~", R"~("a")~",
       R"~(The right side of the "+" operator must evaluate to a number)~"},
      {R"~("a" * 2)~", R"~()~", R"~(T2001)~", 5, R"~(*)~", R"~("a")~",
       R"~(The left side of the "*" operator must evaluate to a number)~"},
      {R"~(-"x")~", R"~()~", R"~(D1002)~", 1, R"~(-)~", R"~("x")~",
       R"~(Cannot negate a non-numeric value: "x")~"},
      {R"~(1 < "a")~", R"~()~", R"~(T2009)~", 3, R"~(<)~", R"~(1)~",
       R"~(The values 1 and "a" either side of operator "<" must be of the same data type)~"},
      {R"~({} > 1)~", R"~()~", R"~(T2010)~", 4, R"~(>)~", R"~({})~",
       R"~(The expressions either side of operator ">" must evaluate to numeric or string values)~"},
      {R"~($sum(["a"]))~", R"~()~", R"~(T0412)~", 5, R"~(sum)~", R"~(["a"])~",
       R"~(Argument 1 of function "sum" must be an array of "numbers")~"},
      {R"~($lowercase(1))~", R"~()~", R"~(T0410)~", 11, R"~(lowercase)~", R"~(1)~",
       R"~(Argument 1 of function "lowercase" does not match function signature)~"},
      {R"~($substring("abc"))~", R"~({"a":1})~", R"~(T0410)~", 11, R"~(substring)~", R"~(undefined)~",
       R"~(Argument 2 of function "substring" does not match function signature)~"},
      {R"~($uppercase())~", R"~(5)~", R"~(T0411)~", 11, R"~(uppercase)~", R"~(5)~",
       R"~(Context value is not a compatible type with argument 1 of function "uppercase")~"},
      {R"~($join([1,2]))~", R"~()~", R"~(T0412)~", 6, R"~(join)~", R"~([1,2])~",
       R"~(Argument 1 of function "join" must be an array of "strings")~"},
      {R"~($number("x"))~", R"~()~", R"~(D3030)~", 8, R"~(number)~", R"~("x")~",
       R"~(Unable to cast value to a number: "x")~"},
      {R"~($sqrt(-4))~", R"~()~", R"~(D3060)~", 6, R"~(sqrt)~", R"~(-4)~",
       R"~(The sqrt function cannot be applied to a negative number: -4)~"},
      {R"~($power(10, 400))~", R"~()~", R"~(D3061)~", 7, R"~(power)~", R"~(10)~",
       R"~(The power function has resulted in a value that cannot be represented as a JSON number: base=10, exponent=400)~"},
      {R"~($error("custom"))~", R"~()~", R"~(D3137)~", 7, R"~(error)~", R"~(undefined)~", R"~(custom)~"},
      {R"~($error())~", R"~()~", R"~(D3137)~", 7, R"~(error)~", R"~(undefined)~",
       R"~($error() function evaluated)~"},
      {R"~($assert(1 = 2, "bad"))~", R"~()~", R"~(D3141)~", 8, R"~(assert)~", R"~(undefined)~", R"~(bad)~"},
      {R"~($single([1,2]))~", R"~()~", R"~(D3138)~", 8, R"~(single)~", R"~(undefined)~",
       R"~(The $single() function expected exactly 1 matching result.  Instead it matched more.)~"},
      {R"~($single([]))~", R"~()~", R"~(D3139)~", 8, R"~(single)~", R"~(undefined)~",
       R"~(The $single() function expected exactly 1 matching result.  Instead it matched 0.)~"},
      {R"~($reduce([1], function($a){$a}))~", R"~()~", R"~(D3050)~", 8, R"~(reduce)~", R"~(undefined)~",
       R"~(The second argument of reduce function must be a function with at least two arguments)~"},
      {R"~($replace("a", "", "b"))~", R"~()~", R"~(D3010)~", 9, R"~(replace)~", R"~("")~",
       R"~(Second argument of replace function cannot be an empty string)~"},
      {R"~($split("a", ",", -1))~", R"~()~", R"~(D3020)~", 7, R"~(split)~", R"~(-1)~",
       R"~(Third argument of split function must evaluate to a positive number)~"},
      {R"~($match("a", /a/, -1))~", R"~()~", R"~(D3040)~", 7, R"~(match)~", R"~(-1)~",
       R"~(Third argument of match function must evaluate to a positive number)~"},
      {R"~($sort([1, "a"]))~", R"~()~", R"~(D3070)~", 6, R"~(sort)~", R"~(undefined)~",
       R"~(The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function)~"},
      {R"~($formatBase(1, 99))~", R"~()~", R"~(D3100)~", 12, R"~(formatBase)~", R"~(99)~",
       R"~(The radix of the formatBase function must be between 2 and 36.  It was given 99)~"},
      {R"~($eval("1 +"))~", R"~()~", R"~(D3120)~", 6, R"~(eval)~", R"~("Unexpected end of expression")~",
       R"~(Syntax error in expression passed to function eval: "Unexpected end of expression")~"},
      {R"~($eval("$x()"))~", R"~()~", R"~(D3121)~", 6, R"~(eval)~",
       R"~("Attempted to invoke a non-function")~",
       R"~(Dynamic error evaluating the expression passed to function eval: "Attempted to invoke a non-function")~"},
      {R"~(items^(x))~", R"~({"items":[{"x":1},{"x":"a"}]})~", R"~(T2007)~", 6, R"~()~", R"~(1)~",
       R"~(Type mismatch when comparing values 1 and "a" in order-by clause)~"},
      {R"~(items^(x))~", R"~({"items":[{"x":1},{"x":{}}]})~", R"~(T2008)~", 6, R"~()~", R"~({})~",
       R"~(The expressions within an order-by clause must evaluate to numeric or string values)~"},
      {R"~({"a": 1, "a": 2})~", R"~()~", R"~(D1009)~", 1, R"~()~", R"~("a")~",
       R"~(Multiple key definitions evaluate to same key: "a")~"},
      {R"~({1: 2})~", R"~()~", R"~(T1003)~", 1, R"~()~", R"~(1)~",
       R"~(Key in object structure must evaluate to a string; got: 1)~"},
      {R"~({"a":1} ~> |$|5|)~", R"~()~", R"~(T2011)~", 15, R"~()~", R"~(5)~",
       R"~(The insert/update clause of the transform expression must evaluate to an object: 5)~"},
      {R"~({"a":1} ~> |$|{}, 5|)~", R"~()~", R"~(T2012)~", 19, R"~()~", R"~(5)~",
       R"~(The delete clause of the transform expression must evaluate to a string or array of strings: 5)~"},
      {R"~(($f := 5; $f()))~", R"~()~", R"~(T1006)~", 13, R"~(f)~", R"~(undefined)~",
       R"~(Attempted to invoke a non-function)~"},
      {R"~(foo())~", R"~({"foo":1})~", R"~(T1006)~", 4, R"~(foo)~", R"~(undefined)~",
       R"~(Attempted to invoke a non-function)~"},
      {R"~(uppercase("a"))~", R"~()~", R"~(T1005)~", 10, R"~(uppercase)~", R"~(undefined)~",
       R"~(Attempted to invoke a non-function. Did you mean $uppercase?)~"},
      {R"~($zip())~", R"~()~", R"~(T0410)~", 5, R"~(zip)~", R"~(undefined)~",
       R"~(Argument 1 of function "zip" does not match function signature)~"},
      {R"~([1..1e8])~", R"~()~", R"~(D2014)~", 4, R"~(..)~", R"~(100000000)~",
       R"~(The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate 100000000.)~"},
      {R"~([1.5..2])~", R"~()~", R"~(T2003)~", 6, R"~(..)~", R"~(1.5)~",
       R"~(The left side of the range operator (..) must evaluate to an integer)~"},
      {R"~([1..$])~", R"~("x")~", R"~(T2004)~", 4, R"~(..)~", R"~("x")~",
       R"~(The right side of the range operator (..) must evaluate to an integer)~"},
      {R"~(5 ~> 6)~", R"~()~", R"~(T2006)~", 4, R"~()~", R"~(6)~",
       R"~(The right side of the function application operator ~> must be a function)~"},
      {R"~($x ~> $y)~", R"~()~", R"~(T2006)~", 5, R"~()~", R"~(undefined)~",
       R"~(The right side of the function application operator ~> must be a function)~"},
      {R"~($decodeUrl("%E0%A4%A"))~", R"~()~", R"~(D3140)~", 11, R"~(decodeUrl)~", R"~("%E0%A4%A")~",
       R"~(Malformed URL passed to $decodeUrl(): "%E0%A4%A")~"},
      {R"~($string(1/0))~", R"~()~", R"~(D3001)~", 8, R"~(string)~", R"~(null)~",
       R"~(Attempting to invoke string function on Infinity or NaN)~"},
      {R"~(( $B := function(){''}; $A := function(){2 + $B()}; $A() ))~", R"~()~", R"~(T2002)~", 55, R"~(+)~",
       R"~("")~", R"~(The right side of the "+" operator must evaluate to a number)~"},
      {R"~(( $A := function(){$min(2, 3)}; $A() ))~", R"~()~", R"~(T0410)~", 23, R"~(min)~", R"~(3)~",
       R"~(Argument 2 of function "min" does not match function signature)~"},
      {R"~($map([1,2], function($v){ $v + "a" }))~", R"~()~", R"~(T2002)~", 5, R"~(+)~", R"~("a")~",
       R"~(The right side of the "+" operator must evaluate to a number)~"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expr);
    Error e = testing::error_of(c.expr, c.input);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.position, c.position);
    EXPECT_EQ(e.token, c.token);
    EXPECT_EQ(e.value.is_undefined() ? std::string("undefined") : json::dump(e.value), c.value);
    EXPECT_EQ(e.message, c.message);
  }
}

TEST(Errors, ExtraFieldsAreDetails) {
  Error e = testing::error_of("$lowercase(1)");
  EXPECT_EQ(json::dump(e.details), R"({"index":1})");
  Error url = testing::error_of(R"($encodeUrl("\ud800"))");
  EXPECT_EQ(url.code, "D3140");
  EXPECT_EQ(url.details.get("functionName").string_or(""), "encodeUrl");
  // JSON.stringify writes a lone surrogate as an escape.
  EXPECT_EQ(url.message, R"(Malformed URL passed to $encodeUrl(): "\ud800")");
}

TEST(Errors, AnErrorInsideAFunctionReportsTheOutermostCall) {
  // jsonata-js stamps each enclosing call's position on the way out; the token stays the innermost one.
  Error e = testing::error_of("( $f := function($x){ $x + 'a' }; $f(1) )");
  EXPECT_EQ(e.code, "T2002");
  EXPECT_EQ(e.token, "+");
  EXPECT_EQ(e.position, 37u);
}

}  // namespace
}  // namespace hookd::jsonata
