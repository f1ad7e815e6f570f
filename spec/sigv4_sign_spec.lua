-- tinkr.core.http.sigv4_sign: the AWS SigV4 signer behind the aws_sigv4
-- request option (src/sigv4.c, src/sha256.c).  SHA-256 against FIPS 180-4's
-- examples; "get-vanilla" from AWS's published SigV4 test suite; the other
-- expected signatures were computed by botocore's SigV4Auth (the AWS SDK
-- for Python) over the same request with the clock fixed.  The live check,
-- every request tinkr sends against a botocore verifier, is sigv4_spec.
local core = require "tinkr.core"

local sign = core.http.sigv4_sign
local DATE = "20150830T123600Z"
local KEY_ID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
local EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

local function req(t)
  t.key_id, t.secret, t.date = t.key_id or KEY_ID, t.secret or SECRET, DATE
  t.region, t.service = t.region or "us-east-1", t.service or "service"
  local headers = { { "X-Amz-Date", DATE } }
  for _, h in ipairs(t.headers or {}) do headers[#headers + 1] = h end
  t.headers = headers
  return t
end

local function signature(out) return out.authorization:match("Signature=(%x+)$") end

describe("SHA-256 (FIPS 180-4 examples, and padding edges)", function()
  local cases = {
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "", EMPTY_HASH },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { ("a"):rep(1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
    { ("x"):rep(55), "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072" },   -- padding fits
    { ("x"):rep(56), "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e" },   -- one more block
    { ("x"):rep(64), "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c" },
  }
  for _, c in ipairs(cases) do
    it(("%d bytes"):format(#c[1]), function()
      local out = sign(req{ method = "POST", body = c[1], headers = { { "Host", "h" } } })
      assert.equal(c[2], out.payload_hash)
      assert.matches("\n" .. c[2] .. "$", out.canonical_request)
    end)
  end
end)

describe("SigV4 signatures", function()
  it("AWS test suite get-vanilla", function()
    local out = sign(req{ method = "GET", path = "/", headers = { { "Host", "example.amazonaws.com" } } })
    assert.equal("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" .. EMPTY_HASH,
      out.canonical_request)
    assert.equal("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
      .. "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", out.string_to_sign)
    assert.equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
      .. "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      out.authorization)
  end)

  it("an index pattern: '*' and ',' in the path are signed URI-encoded (curl 7.88 signed them raw)", function()
    local body = '{"size":1}'
    local out = sign(req{ method = "POST", path = "/otel-logs-*,otel-traces-*/_search", body = body,
      region = "eu-west-1", service = "es", headers = {
        { "Host", "search-x.eu-west-1.es.amazonaws.com" }, { "Content-Type", "application/json" },
        { "X-Amz-Content-Sha256", "fe36923e15fedd49a241f76219620a46e7bd8bfb6f17ddeffe18b0299b8b1028" } } })
    assert.matches("^POST\n/otel%-logs%-%%2A%%2Cotel%-traces%-%%2A/_search\n\n", out.canonical_request)
    assert.equal("fe36923e15fedd49a241f76219620a46e7bd8bfb6f17ddeffe18b0299b8b1028", out.payload_hash)
    assert.matches("SignedHeaders=content%-type;host;x%-amz%-content%-sha256;x%-amz%-date,", out.authorization)
    assert.equal("d4befc111eb9168d4b517ae68f99c3c16c8033e3266c6ad4ff03523c64980f00", signature(out))
  end)

  it("an encoded path is encoded once more; dot and empty segments go; the query is sorted", function()
    local out = sign(req{ method = "GET", path = "/a%2Ab/./c//d/../e", query = "z=1&a=b%20c&a=a",
      headers = { { "Host", "example.amazonaws.com" } } })
    assert.matches("^GET\n/a%%252Ab/c/e\na=a&a=b%%20c&z=1\n", out.canonical_request)
    assert.equal("f0ea2ff4ccfe34939cec8cfbe93020d01452a28169bba5f19a6cb0facf5fcbda", signature(out))
  end)

  it("query names and values are normalised: a raw '*' and '%2a' sign alike", function()
    local a = sign(req{ method = "GET", path = "/", query = "q=a*b&x=%7e", headers = { { "Host", "h" } } })
    local b = sign(req{ method = "GET", path = "/", query = "x=~&q=a%2ab", headers = { { "Host", "h" } } })
    assert.matches("\nq=a%%2Ab&x=~\n", a.canonical_request)
    assert.equal(a.authorization, b.authorization)
  end)

  it("header values are trimmed and inner blanks collapsed; repeated headers joined in order", function()
    local out = sign(req{ method = "GET", path = "/", headers = { { "Host", "example.amazonaws.com" },
      { "My-Header1", "  a   b \t  c  " } } })
    assert.matches("\nmy%-header1:a b c\n", out.canonical_request)
    assert.equal("6ff6bc3cebca8811504dc903f3a072c310d9f48f8ee5c0b08115052209439e1b", signature(out))
    out = sign(req{ method = "GET", path = "/", headers = { { "Host", "h" }, { "X-B", "2" }, { "x-b", "1" } } })
    assert.matches("\nx%-b:2,1\n", out.canonical_request)
  end)

  it("never signs the headers proxies change (user-agent, expect)", function()
    local out = sign(req{ method = "GET", path = "/", headers = { { "Host", "h" }, { "User-Agent", "tinkr" },
      { "Expect", "" } } })
    assert.matches("SignedHeaders=host;x%-amz%-date,", out.authorization)
  end)

  it("a secret longer than an HMAC block (the key is hashed first)", function()
    local out = sign(req{ method = "GET", path = "/", secret = ("s"):rep(100),
      headers = { { "Host", "example.amazonaws.com" } } })
    assert.equal("60c35b502a3845978f91f47d973ebb103ffdc6ea98c2c476911302f14619ebd9", signature(out))
  end)

  it("Prometheus (aps) with a session token and a port in the host", function()
    local out = sign(req{ method = "GET", path = "/api/v1/query", query = "time=1&query=sum%28rate%28x%5B5m%5D%29%29",
      region = "eu-west-1", service = "aps", headers = { { "Host", "aps-workspaces.eu-west-1.amazonaws.com:8443" },
        { "X-Amz-Security-Token", "tok" } } })
    assert.matches("\nquery=sum%%28rate%%28x%%5B5m%%5D%%29%%29&time=1\n", out.canonical_request)
    assert.equal("14ad9234e135d492e022c1a549e1cc1f75e010f249438dd007dbfd4428964de2", signature(out))
  end)

  it("misuse raises: a malformed date, region or header", function()
    local t = req{ method = "GET", headers = { { "Host", "h" } } }
    t.date = "2015-08-30"
    assert.has_error(function() sign(t) end, "bad argument #1 to 'sigv4_sign' (field 'date': YYYYMMDDTHHMMSSZ expected)")
    assert.has_error(function() sign(req{ method = "GET", region = "eu west", headers = {} }) end,
      "bad argument #1 to 'sigv4_sign' (region and service: letters, digits and '-')")
    assert.has_error(function() sign(req{ method = "GET", headers = { "Host: h" } }) end,
      "bad argument #1 to 'sigv4_sign' (headers[2]: {name, value} strings expected)")
  end)
end)

describe("the aws_sigv4 request option", function()
  it("refuses a malformed scope before sending", function()
    local ok, err = pcall(core.http.request, { url = "http://127.0.0.1:1/", aws_sigv4 = "aws:amz:eu west:es",
      username = "k", password = "s" })
    assert.is_false(ok)
    assert.matches("aws_sigv4: \"aws:amz:REGION:SERVICE\" expected", err)
  end)

  it("refuses an access key id that would break the Authorization header", function()
    local ok, err = pcall(core.http.request, { url = "http://127.0.0.1:1/", aws_sigv4 = "aws:amz:eu-west-1:es",
      username = "AKID\r\nX-Evil: 1", password = "s" })
    assert.is_false(ok)
    assert.matches("username: contains CR or LF", err)
  end)
end)
