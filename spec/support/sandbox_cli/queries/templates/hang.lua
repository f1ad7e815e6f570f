-- A template that matches a catastrophic pattern with gsub.
return function(q)
  return { query = (("a"):rep(3000):gsub(".-.-.-.-.-b", q.x or "")) }
end
