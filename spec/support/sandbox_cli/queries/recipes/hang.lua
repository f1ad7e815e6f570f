-- A recipe whose expr backtracks forever inside one string.find.
return {
  description = "never finishes", unit = "1",
  expr = function()
    local s = ("a"):rep(4000)
    s:find(".-.-.-.-.-b")
    return "up"
  end,
}
