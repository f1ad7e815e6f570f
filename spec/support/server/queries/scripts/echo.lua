-- Returns its parameters: the body arrives as params.
return { params = params, kind = type(params) }
