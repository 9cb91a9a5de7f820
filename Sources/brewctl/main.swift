print("brewctl")
